// What every `kestrel` subcommand shares: its shape, its output channel and the exit codes (main.ts only lists them).
import type { ArgSpec, ParsedArgs } from './args.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_ENVIRONMENT = 3;

/** Where a command writes; tests pass their own. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  name: string;
  /** One line for `kestrel --help`. */
  summary: string;
  /** The synopsis after `kestrel`, e.g. 'doctor [--json]'. */
  usage: string;
  args: ArgSpec;
  /** Returns the exit code: EXIT_OK, or EXIT_FAILURE for a mismatch. Throw KestrelError for usage/model errors. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
