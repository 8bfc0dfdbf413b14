/**
 * The one command-line parser of bench/: every benchmark, evaluation and training script declares
 * its options here and gets them checked the same way. `--name value` and `--name=value` both
 * work; a boolean is `--name` (or `--name=1|0|true|false`); an unknown option, a missing value, a
 * number that is not one or a value outside `choices` throws with the script's usage line. The
 * browser host reads the same options from a page's query (queryArgv). No Node or DOM APIs.
 */

export interface OptionSpec {
  type: 'string' | 'number' | 'boolean';
  default?: string | number | boolean;
  /** Allowed values of a string option. */
  choices?: readonly string[];
}

type Value<O extends OptionSpec> = O['type'] extends 'number' ? number : O['type'] extends 'boolean' ? boolean : string;

/** What parseOptions returns: each option's value (undefined where it has no default and was not given). */
export type Parsed<S extends Record<string, OptionSpec>> = {
  [K in keyof S]: S[K] extends { default: string | number | boolean } ? Value<S[K]> : S[K]['type'] extends 'boolean' ? boolean : Value<S[K]> | undefined;
};

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `argv` against `spec`. `usage` is appended to every error. With `positionals`, bare
 * arguments are collected in order (returned as `positionals`); without, they are an error.
 */
export function parseOptions<S extends Record<string, OptionSpec>>(argv: readonly string[], spec: S, usage: string, o: { positionals?: boolean } = {}): Parsed<S> & { positionals: string[] } {
  const fail = (why: string): never => {
    throw new UsageError(`${why}\n${usage}`);
  };
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (const [name, s] of Object.entries(spec)) values[name] = s.default ?? (s.type === 'boolean' ? false : undefined);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      if (!o.positionals) fail(`unexpected argument '${arg}'`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const s = Object.prototype.hasOwnProperty.call(spec, name) ? spec[name]! : fail(`unknown option --${name}`);
    let raw = eq < 0 ? undefined : arg.slice(eq + 1);
    if (s.type === 'boolean') {
      if (raw === undefined || /^(1|true)$/.test(raw)) values[name] = true;
      else if (/^(0|false)$/.test(raw)) values[name] = false;
      else fail(`--${name} takes no value (or 1/0), got '${raw}'`);
      continue;
    }
    if (raw === undefined) {
      raw = argv[i + 1];
      if (raw === undefined || raw.startsWith('--')) fail(`--${name} needs a value`);
      i++;
    }
    if (s.type === 'number') {
      const n = Number(raw);
      if (raw!.trim() === '' || !Number.isFinite(n)) fail(`--${name}: expected a number, got '${raw}'`);
      values[name] = n;
    } else {
      if (s.choices && !s.choices.includes(raw!)) fail(`--${name} must be one of ${s.choices.join(', ')}, got '${raw}'`);
      values[name] = raw;
    }
  }
  return { ...(values as Parsed<S>), positionals };
}

/** A comma-separated list option as its items (empty items dropped). */
export const list = (value: string | undefined): string[] | undefined => value?.split(',').map((s) => s.trim()).filter(Boolean);

/** The given names of a page's query as command-line arguments (`?size=tiny` → `--size=tiny`), for parseOptions. */
export function queryArgv(query: URLSearchParams, names: readonly string[]): string[] {
  return names.filter((n) => query.has(n)).map((n) => `--${n}=${query.get(n)}`);
}
