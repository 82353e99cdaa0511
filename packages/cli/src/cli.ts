#!/usr/bin/env node
// The `lameduck` bin: finds the subcommand and runs it. Every way out is one line and an exit
// code (0 ok, 1 findings, 2 unusable input or command line); never a stack trace.
import { createRequire } from 'node:module';
import { EXIT_UNUSABLE, type Io, UsageError } from './commands/command.js';
import { commands } from './commands/index.js';
import { escapeControl } from './doctor/escape.js';
import { InputTooLarge, LIMITS } from './doctor/limits.js';

const io: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    // Bounded like a file: `yes | lameduck doctor -` must end in one line, not in a heap abort.
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > LIMITS.fileBytes) {
        process.stdin.destroy();
        throw new InputTooLarge(LIMITS.fileBytes);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  },
};

function version(): string {
  // dist/cli.js and src/cli.ts both sit one level below package.json.
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

function help(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `usage: lameduck <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Options:
  -h, --help     show this help; lameduck <command> --help shows a command's
  -v, --version  print the version
`;
}

/** A wrong command line: one line on stderr, exit 2. */
function usageError(prefix: string, message: string): number {
  io.stderr(`${prefix}: ${escapeControl(message)}\n`);
  return EXIT_UNUSABLE;
}

async function run(args: readonly string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === '-h' || first === '--help') {
    io.stdout(help());
    return 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  if (first === undefined) return usageError('lameduck', 'missing command (see lameduck --help)');
  const command = commands.find((candidate) => candidate.name === first);
  if (!command) {
    const what = first.startsWith('-') ? 'option' : 'command';
    const known = commands.map((candidate) => candidate.name).join(', ');
    return usageError('lameduck', `unknown ${what} ${first} (commands: ${known}; see lameduck --help)`);
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) return usageError(`lameduck ${command.name}`, error.message);
    throw error;
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    // exitCode, not exit(): a large --json output on a pipe is written in full first.
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`lameduck: unexpected error: ${escapeControl(message.split('\n', 1)[0] ?? '')}\n`);
    process.exitCode = EXIT_UNUSABLE;
  },
);
