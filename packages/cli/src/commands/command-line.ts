import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './command.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What each option of a config reads as: a string (or strings) for values, true for flags. */
export type OptionValues<T extends OptionsConfig> = {
  [K in keyof T]?: T[K] extends { type: 'boolean' }
    ? T[K] extends { multiple: true }
      ? boolean[]
      : boolean
    : T[K] extends { multiple: true }
      ? string[]
      : string;
};

export interface CommandLine<T extends OptionsConfig> {
  values: OptionValues<T>;
  /** The arguments before `--` that are not options, in order. */
  positionals: string[];
  /** Everything after the first `--`, untouched (a start command and its own flags); undefined without `--`. */
  rest: string[] | undefined;
}

/**
 * node:util's parseArgs, with a one-line UsageError for each mistake that names the argument as
 * typed and points at `lameduck <command> --help`. A value may start with `-` (`--lag-ms -1` is
 * then refused by the option's own check) but not with `--`, which is taken as a forgotten value.
 */
export function readCommandLine<T extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: T,
): CommandLine<T> {
  const end = args.indexOf('--');
  const head = end === -1 ? [...args] : args.slice(0, end);
  const { values, positionals, tokens } = parseArgs({
    args: head,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const seeHelp = `(see lameduck ${command} --help)`;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) throw new UsageError(`unknown option ${head[token.index]} ${seeHelp}`);
    if (option.type === 'boolean' && token.value !== undefined)
      throw new UsageError(`${token.rawName} takes no value ${seeHelp}`);
    if (
      option.type === 'string' &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))
    )
      throw new UsageError(`${token.rawName} needs a value ${seeHelp}`);
  }
  return {
    values: values as OptionValues<T>,
    positionals,
    rest: end === -1 ? undefined : args.slice(end + 1),
  };
}
