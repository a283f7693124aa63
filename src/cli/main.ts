// The `kestrel` command: a registry of subcommands, argument parsing, and one place that maps errors to exit codes.
// Exit codes: 0 ok, 1 mismatch or failure, 2 usage or model error (any KestrelError), 3 environment failure
// (no WebGPU adapter, device lost).
import { DeviceLostError, KestrelError, NoAdapterError } from '../core/errors.js';
import { UsageError, formatFlags, parseArgs } from './args.js';
import { type CliIo, type Command, EXIT_ENVIRONMENT, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './command.js';
import { doctorCommand } from './doctor.js';
import { inspectCommand } from './inspect.js';
import { parityCommand } from './parity.js';
import { runCommand } from './run.js';
import { quantizeCommand } from './quantize.js';
import { demoCommand } from './demo.js';
import { profileCommand } from './profile.js';
import { tuneCommand } from './tune.js';

export { EXIT_ENVIRONMENT, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from './command.js';

// Each command lives in its own file (src/cli/<name>.ts) and is listed here, in help order.
export const COMMANDS: Command[] = [
  demoCommand,
  doctorCommand,
  inspectCommand,
  runCommand,
  parityCommand,
  quantizeCommand,
  profileCommand,
  tuneCommand,
];

const stdio: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

export function findCommand(name: string, commands: readonly Command[] = COMMANDS): Command | undefined {
  return commands.find((c) => c.name === name);
}

function version(): string {
  return typeof __KESTREL_VERSION__ === 'string' ? __KESTREL_VERSION__ : 'dev';
}
declare const __KESTREL_VERSION__: string | undefined;

export function generalHelp(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(4, ...commands.map((c) => c.name.length));
  return [
    'usage: kestrel <command> [flags]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show help for a command (kestrel help <command>)`,
    '',
    'exit codes: 0 ok, 1 mismatch or failure, 2 usage or model error, 3 environment failure (no adapter, device lost)',
    'KESTREL_DEBUG=shaders,timings prints the specialized WGSL of every pipeline and the GPU time of every step.',
  ].join('\n');
}

export function commandHelp(cmd: Command): string {
  const flags = formatFlags({
    ...cmd.args,
    flags: [...(cmd.args.flags ?? []), { name: 'help', short: 'h', type: 'boolean', summary: 'show this help' }],
  });
  return [`usage: kestrel ${cmd.usage}`, '', cmd.summary, '', 'flags:', ...flags].join('\n');
}

/** Runs the CLI on `argv` (without node and the script path) and returns the exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = stdio,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.out(generalHelp(commands));
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    io.out(version());
    return EXIT_OK;
  }
  if (first === 'help') {
    const cmd = rest[0] === undefined ? undefined : findCommand(rest[0], commands);
    if (rest[0] !== undefined && !cmd) {
      io.err(`error: unknown command '${rest[0]}'\n\n${generalHelp(commands)}`);
      return EXIT_USAGE;
    }
    io.out(cmd ? commandHelp(cmd) : generalHelp(commands));
    return EXIT_OK;
  }
  const cmd = findCommand(first, commands);
  if (!cmd) {
    io.err(`error: unknown command '${first}'\n\n${generalHelp(commands)}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(cmd));
    return EXIT_OK;
  }
  try {
    const args = parseArgs(rest, cmd.args);
    return await cmd.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}\nusage: kestrel ${cmd.usage}  (kestrel help ${cmd.name})`);
      return EXIT_USAGE;
    }
    if (e instanceof NoAdapterError || e instanceof DeviceLostError) {
      io.err(`error: ${e.message}`);
      return EXIT_ENVIRONMENT;
    }
    if (e instanceof KestrelError) {
      io.err(`error: ${e.message}`);
      return EXIT_USAGE;
    }
    // Not a KestrelError: a bug or an environment failure, so the stack helps.
    const err = e as Error;
    io.err(`error: ${err?.message ?? String(e)}`);
    if (err?.stack) io.err(err.stack);
    return EXIT_FAILURE;
  }
}
