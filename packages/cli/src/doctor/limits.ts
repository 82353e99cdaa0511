// How much the doctor reads. In CI it runs over directories a pull request controls: a `*.yaml`
// that is a FIFO would hang the run, a symlink to /dev/zero would grow memory without end, and a
// huge render would take the heap down with V8's abort. Only regular files are read, each with a
// bounded read, and a refusal is one finding: the run goes on with the other files.
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

const MIB = 1024 * 1024;

export const LIMITS = {
  /** The API server refuses an object much over 1.5 MiB (etcd's request limit), so no real manifest has one. */
  documentBytes: 1.5 * MIB,
  fileBytes: 8 * MIB,
  runBytes: 64 * MIB,
} as const;

/** `1.5 MiB`, `8 MiB`, `8.3 MiB`: sizes as the messages print them. */
export function mebibytes(bytes: number): string {
  const value = bytes / MIB;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} MiB`;
}

export interface Refusal {
  refused: string;
  fix: string;
}

/** Standard input or a file was larger than the limit; thrown by a reader that stopped early. */
export class InputTooLarge extends Error {
  override name = 'InputTooLarge';
  constructor(readonly limitBytes: number) {
    super(`larger than ${mebibytes(limitBytes)}`);
  }
}

export function tooLarge(bytes: number | undefined, limitBytes: number): Refusal {
  const size = bytes === undefined ? `over ${mebibytes(limitBytes)}` : mebibytes(bytes);
  return {
    refused: `${size}, over the ${mebibytes(limitBytes)} a file may have (${mebibytes(LIMITS.runBytes)} a run, ${mebibytes(LIMITS.documentBytes)} a document): not read`,
    fix: 'split it into smaller files, or check it in parts',
  };
}

const NOT_REGULAR = 'pass regular files only (save what a pipe or device gives to a file first)';

/** The run has read `usedBytes` of its limit: the file is not read, whatever its size. */
export function runBudgetSpent(usedBytes: number): Refusal {
  return {
    refused: `not read: the files before it came to ${mebibytes(usedBytes)}, and a run reads at most ${mebibytes(LIMITS.runBytes)}`,
    fix: 'check the files in several runs',
  };
}

/** Why the entry is not a regular file, in the words of the message, or undefined when it is one. */
function notRegular(entry: {
  isFile(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
  isDirectory(): boolean;
}): string | undefined {
  if (entry.isFile()) return undefined;
  if (entry.isFIFO()) return 'a named pipe (FIFO), not a regular file: reading it could wait forever';
  if (entry.isCharacterDevice()) return 'a character device, not a regular file: reading it may never end';
  if (entry.isBlockDevice()) return 'a block device, not a regular file';
  if (entry.isSocket()) return 'a socket, not a regular file';
  if (entry.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * The bytes of a regular file of at most `limitBytes`, or why it was not read. The file is opened
 * non-blocking (a FIFO swapped in after the check cannot hang the open), checked again through
 * its descriptor, and read only up to the limit, whatever it claims its size is.
 */
export async function readBounded(
  path: string,
  limitBytes: number,
  over: (bytes: number | undefined) => Refusal = (bytes) => tooLarge(bytes, limitBytes),
): Promise<{ bytes: Uint8Array } | Refusal> {
  const before = notRegular(await stat(path));
  if (before !== undefined) return { refused: before, fix: NOT_REGULAR };
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    const kind = notRegular(info);
    if (kind !== undefined) return { refused: kind, fix: NOT_REGULAR };
    if (info.size > limitBytes) return over(info.size);
    // Read in chunks until the end or one byte past the limit, whatever size it claimed: a
    // file can grow while it is read.
    const chunks: Uint8Array[] = [];
    let length = 0;
    while (length <= limitBytes) {
      const chunk = new Uint8Array(
        Math.min(Math.max(info.size - length, 0) + 1, limitBytes + 1 - length, 4 * MIB),
      );
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
    }
    if (length > limitBytes) return over(undefined);
    return { bytes: chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks) };
  } finally {
    await handle.close();
  }
}

/** A YAML document start or end marker line (`---`, `...`): no content line can look like one. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;

/**
 * Documents over `limitBytes`, blanked out of `source` line for line (so that every other
 * document keeps its line and column), with the line each started on.
 */
export function withoutLargeDocuments(
  source: string,
  limitBytes: number,
): { source: string; large: { line: number; bytes: number }[] } {
  // A string holds at most 3 bytes of UTF-8 per UTF-16 unit: a short one cannot hold a large document.
  if (source.length * 3 <= limitBytes) return { source, large: [] };
  const starts = [0];
  for (const match of source.matchAll(DOCUMENT_MARKER)) starts.push(match.index);
  starts.push(source.length);
  const large: { line: number; bytes: number; from: number; to: number }[] = [];
  const encoder = new TextEncoder();
  for (let index = 0; index + 1 < starts.length; index += 1) {
    const from = starts[index] as number;
    const to = starts[index + 1] as number;
    if ((to - from) * 3 <= limitBytes) continue;
    const bytes = encoder.encode(source.slice(from, to)).length;
    if (bytes > limitBytes) large.push({ line: lineAt(source, from), bytes, from, to });
  }
  if (large.length === 0) return { source, large: [] };
  let kept = '';
  let at = 0;
  for (const { from, to } of large) {
    kept += source.slice(at, from) + source.slice(from, to).replace(/[^\n]+/g, '');
    at = to;
  }
  kept += source.slice(at);
  return { source: kept, large: large.map(({ line, bytes }) => ({ line, bytes })) };
}

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (
    let index = source.indexOf('\n');
    index !== -1 && index < offset;
    index = source.indexOf('\n', index + 1)
  )
    line += 1;
  return line;
}
