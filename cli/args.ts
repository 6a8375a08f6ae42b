/**
 * node:util's parseArgs, with its errors said the CLI's way: an unknown option is one line,
 * `unknown option --speed (did you mean --stuck-after?)`, never Node's text (which quotes the
 * option unbalanced and talks about positionals), and a missing value names the option.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { didYouMean, UsageError } from './errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The spellings of the options: `--name` and `-x`. */
function optionNames(options: Options): string[] {
  return Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
}

/** The option a parseArgs error is about (its message quotes it: '--speed', '-x'). */
function optionOf(message: string): string | undefined {
  return /'(-{1,2}[^'\s=,]+)/.exec(message)?.[1];
}

/** An unknown option, with the closest known ones: a UsageError with exit status 2. */
export function unknownOption(option: string, options: Options): UsageError {
  const names = optionNames(options).filter((n) => n.startsWith('--'));
  const hint = didYouMean(option.split('=')[0] ?? option, names);
  const e = new UsageError(`unknown option ${option}${hint ? ` (${hint})` : ''}`, 2);
  if (!hint) e.unknownOption = option;
  return e;
}

export function parseCliArgs<T extends ParseArgsConfig & { options: Options }>(config: T) {
  try {
    return parseArgs(config);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (!e.code?.startsWith('ERR_PARSE_ARGS')) throw err;
    const option = optionOf(e.message);
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) throw unknownOption(option, config.options);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
      const long = option.replace(/^-+/, '');
      const o =
        (Object.hasOwn(config.options, long) ? config.options[long] : undefined) ??
        Object.values(config.options).find((x) => `-${x.short}` === option);
      // parseArgs refuses `--stuck-after -5m` as "ambiguous": the value starts with a dash.
      const dash = /argument is ambiguous/.test(e.message)
        ? ` (a value that starts with "-": ${option}=VALUE)`
        : '';
      throw new UsageError(
        o?.type === 'boolean' ? `${option} takes no value` : `${option} needs a value${dash}`,
        2,
      );
    }
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw new UsageError(`unexpected argument: ${e.message}`, 2);
    throw new UsageError(e.message.split('\n')[0] ?? e.message, 2);
  }
}
