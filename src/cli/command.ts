/** What a command is, and how its arguments are parsed (node:util parseArgs) and checked. */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import type { Output } from './output.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. "N" for --size N. */
  value?: string;
  help: string;
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  values: ParsedValues;
  positionals: string[];
  out: Output;
  debug: boolean;
}

export interface Command {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Usage line after "wgsl-vision ", e.g. "verify A B [options]". */
  usage: string;
  /** A few lines of explanation under the usage line. */
  description: string[];
  options: Record<string, OptionSpec>;
  /** How many positional arguments the command takes. */
  positionals: { min: number; max: number };
  /** Extra lines at the end of the help (examples, exit codes). */
  notes?: string[];
  /** Arguments are handed over unparsed (bench passes them to the suite). */
  passThrough?: boolean;
  /** Returns the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print the result as JSON on stdout (messages still go to stderr)' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress messages on stderr' },
  debug: { type: 'boolean', help: 'show stack traces of errors' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export function parseCommandArgs(command: Command, args: string[]): { values: ParsedValues; positionals: string[] } {
  const specs = { ...command.options, ...COMMON_OPTIONS };
  const options = Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, { type: s.type, multiple: s.multiple ?? false, ...(s.short ? { short: s.short } : {}) }]));
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(cleanParseError((e as Error).message), command.name);
  }
  const values = parsed.values as ParsedValues;
  if (!values.help) {
    const n = parsed.positionals.length;
    const { min, max } = command.positionals;
    if (n < min) throw new UsageError(`${command.name} needs ${min === max ? min : `at least ${min}`} argument${min === 1 ? '' : 's'} (${command.usage})`, command.name);
    if (n > max) throw new UsageError(`${command.name} takes ${max === min ? max : `at most ${max}`} argument${max === 1 ? '' : 's'}, got ${n}: ${parsed.positionals.join(' ')}`, command.name);
  }
  return { values, positionals: parsed.positionals };
}

/** parseArgs's messages carry advice about "--" meant for programmers; keep the first sentence. */
function cleanParseError(message: string): string {
  return message
    .replace(/\. To specify a positional argument.*$/s, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/^Unknown option/, 'unknown option')
    .replace(/^Option/, 'option');
}

/** A numeric option, checked against its range; undefined when absent. */
export function numberOption(values: ParsedValues, name: string, command: string, range: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const n = Number(text);
  const what = range.integer ? 'an integer' : 'a number';
  if (text === '' || !Number.isFinite(n) || (range.integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${what}, got '${raw}'`, command);
  if (range.min !== undefined && n < range.min) throw new UsageError(`--${name} must be at least ${range.min}, got ${n}`, command);
  if (range.max !== undefined && n > range.max) throw new UsageError(`--${name} must be at most ${range.max}, got ${n}`, command);
  return n;
}

/** A string option restricted to a set of choices. */
export function choiceOption<T extends string>(values: ParsedValues, name: string, command: string, choices: readonly T[]): T | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`, command);
  return raw as T;
}

export function stringOption(values: ParsedValues, name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}
