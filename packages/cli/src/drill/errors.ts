/** The drill cannot run or cannot go on: one line on stderr, exit 2, every child process gone. */
export class DrillError extends Error {
  override name = 'DrillError';
  /** More to show with --verbose: the last lines a pod printed. */
  readonly details: readonly string[];

  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.details = details;
  }
}
