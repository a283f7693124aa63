// Command-line parsing for `kestrel`: declared flags only, so a typo is a usage error rather than a silent default.
import { KestrelError } from '../core/errors.js';

export class UsageError extends KestrelError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export interface FlagSpec {
  /** Long name without dashes: 'input' for --input. */
  name: string;
  /** 'boolean' flags take no value; 'string' flags take one (`--x V` or `--x=V`). */
  type: 'boolean' | 'string';
  /** A string flag that may be given many times; its value is then a list. */
  repeat?: boolean;
  /** One-letter alias without the dash: 'o' for -o. */
  short?: string;
  /** Placeholder for the value in help text, e.g. 'NAME=FILE'. */
  valueName?: string;
  summary: string;
}

export interface ArgSpec {
  flags?: FlagSpec[];
  /** Names of positional arguments, for help text; a trailing '...' marks a list. */
  positionals?: string[];
  /**
   * How many positionals are required (default 0) and allowed (default: positionals.length, or unlimited with '...').
   */
  minPositionals?: number;
  maxPositionals?: number;
}

export interface ParsedArgs {
  /** Boolean flags are true or false; string flags a string or undefined; repeatable flags a list (maybe empty). */
  flags: Record<string, boolean | string | string[] | undefined>;
  positionals: string[];
}

function findFlag(spec: ArgSpec, token: string): FlagSpec | undefined {
  const flags = spec.flags ?? [];
  if (token.startsWith('--')) return flags.find((f) => f.name === token.slice(2));
  return flags.find((f) => f.short !== undefined && f.short === token.slice(1));
}

export function parseArgs(argv: readonly string[], spec: ArgSpec = {}): ParsedArgs {
  const flags: ParsedArgs['flags'] = {};
  for (const f of spec.flags ?? []) flags[f.name] = f.type === 'boolean' ? false : f.repeat ? [] : undefined;
  const positionals: string[] = [];
  const seen = new Set<string>();
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const token = eq >= 0 ? arg.slice(0, eq) : arg;
    const flag = findFlag(spec, token);
    if (!flag) throw new UsageError(`unknown flag ${token}`);
    if (flag.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${flag.name} takes no value`);
      flags[flag.name] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    else throw new UsageError(`--${flag.name} needs a value${flag.valueName ? ` (${flag.valueName})` : ''}`);
    if (flag.repeat) (flags[flag.name] as string[]).push(value);
    else if (seen.has(flag.name)) throw new UsageError(`--${flag.name} given more than once`);
    else flags[flag.name] = value;
    seen.add(flag.name);
  }
  const names = spec.positionals ?? [];
  const variadic = names.length > 0 && names[names.length - 1].endsWith('...');
  const min = spec.minPositionals ?? 0;
  const max = spec.maxPositionals ?? (variadic ? Infinity : names.length);
  if (positionals.length < min)
    throw new UsageError(`missing ${names.slice(positionals.length, min).join(' ') || 'argument'}`);
  if (positionals.length > max) throw new UsageError(`unexpected argument '${positionals[max]}'`);
  return { flags, positionals };
}

/** Splits repeated `NAME=VALUE` flags into a map; `what` names the flag for errors ('--input'). */
export function keyValues(items: readonly string[], what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw new UsageError(`${what} expects NAME=VALUE, got '${item}'`);
    const name = item.slice(0, eq);
    if (out.has(name)) throw new UsageError(`${what} ${name} given more than once`);
    out.set(name, item.slice(eq + 1));
  }
  return out;
}

/** Parses a shape written as `1x3x320x320` (a scalar is `scalar`). */
export function parseDims(text: string, what = 'shape'): number[] {
  if (text === 'scalar') return [];
  const parts = text.split(/[x,]/);
  const dims = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (dims.some((d) => !Number.isSafeInteger(d))) throw new UsageError(`${what} '${text}' is not like 1x3x320x320`);
  return dims;
}

/** `--shape NAME=1x3x320x320` flags as a map from input name to dims. */
export function parseShapes(items: readonly string[], what = '--shape'): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [name, dims] of keyValues(items, what)) out.set(name, parseDims(dims, `${what} ${name}`));
  return out;
}

/** Help text for a spec's flags, one per line, aligned. */
export function formatFlags(spec: ArgSpec): string[] {
  const rows = (spec.flags ?? []).map((f) => {
    const value = f.type === 'string' ? ` ${f.valueName ?? 'VALUE'}` : '';
    const names = `${f.short ? `-${f.short}, ` : ''}--${f.name}${value}`;
    return [names, `${f.summary}${f.repeat ? ' (repeatable)' : ''}`];
  });
  const width = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([n, s]) => `  ${n.padEnd(width)}  ${s}`);
}
