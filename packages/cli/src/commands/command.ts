/** Where a command writes; the bin passes the process' streams, tests may pass buffers. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** All of standard input, for the file name `-`. */
  readStdin(): Promise<string>;
}

/** A subcommand of `lameduck`: one file in src/commands/, one entry in src/commands/index.ts. */
export interface Command {
  name: string;
  /** One line for `lameduck --help`. */
  summary: string;
  /** `lameduck <name> --help`. */
  help(): string;
  /** Resolves with the exit code. Throws UsageError for a wrong command line. */
  run(args: readonly string[], io: Io): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_UNUSABLE = 2;

/** The command line is wrong: printed as one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
