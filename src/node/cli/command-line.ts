/**
 * The part every `live-pusher` command parses the same way: its options (with `-h/--help`), its
 * positional arguments, and what a mistake prints. Usage errors exit 2 and help exits 0, like
 * the usual Unix tools.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const;

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP_OPTION; allowPositionals: true }>
>;

export interface CommandLine<O extends ParseArgsOptionsConfig> {
  values: Parsed<O>['values'];
  positionals: string[];
}

/**
 * Parses `argv` for `command`. Returns the values and positionals, or the exit code when the
 * command should stop: 0 after printing `help` for `--help`, 2 after printing the problem and the
 * help for an unknown option or a wrong number of positionals (`positionals` names the expected
 * ones, e.g. `['<input>', '<rtmp-url>']`; none by default).
 */
export function parseCommandLine<O extends ParseArgsOptionsConfig>(
  command: string,
  help: string,
  argv: string[],
  options: O,
  positionals: readonly string[] = [],
): CommandLine<O> | number {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, ...HELP_OPTION }, allowPositionals: true });
  } catch (e) {
    process.stderr.write(`live-pusher ${command}: ${(e as Error).message}\n\n${help}`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    return 0;
  }
  if (parsed.positionals.length !== positionals.length) {
    const expected = positionals.length === 0 ? 'no arguments' : positionals.join(' and ');
    process.stderr.write(`live-pusher ${command}: expected ${expected}\n\n${help}`);
    return 2;
  }
  return { values: parsed.values, positionals: parsed.positionals };
}
