// Where CLI output goes: `--json FILE`, or `--json -` for stdout (human lines then go to stderr), and whether
// stderr is a terminal (progress bars only there).
import { writeFileSync } from 'node:fs';
import type { ParsedArgs } from './args.js';
import type { CliIo } from './command.js';

export interface JsonOutput {
  /** The io the command prints its human lines to: stderr when the JSON goes to stdout. */
  io: CliIo;
  /** Whether --json was given. */
  wanted: boolean;
  /** Writes the JSON to the file or to stdout; returns where it went ('stdout' or the file name). */
  write(json: string): string;
}

export function jsonOutput(args: ParsedArgs, io: CliIo, flag = 'json'): JsonOutput {
  const target = args.flags[flag] as string | undefined;
  const toStdout = target === '-';
  return {
    io: toStdout ? { out: io.err, err: io.err } : io,
    wanted: target !== undefined,
    write(json) {
      if (toStdout) io.out(json);
      else if (target !== undefined) writeFileSync(target, json);
      return toStdout ? 'stdout' : (target ?? '');
    },
  };
}

/** bin/kestrel.mjs pipes the CLI's stderr through a filter and passes the terminal's answer in KESTREL_STDERR_TTY. */
export function stderrIsTTY(): boolean {
  const passed = process.env.KESTREL_STDERR_TTY;
  return passed !== undefined ? passed === '1' : !!process.stderr.isTTY;
}
