import { describe, expect, it } from 'vitest';
import { KestrelError } from '../../src/core/errors.js';
import {
  type ArgSpec,
  UsageError,
  formatFlags,
  keyValues,
  parseArgs,
  parseDims,
  parseShapes,
} from '../../src/cli/args.js';
import { type CliIo, type Command, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main } from '../../src/cli/main.js';

const runSpec: ArgSpec = {
  flags: [
    { name: 'input', type: 'string', repeat: true, valueName: 'NAME=FILE', summary: 'an input tensor' },
    { name: 'shape', type: 'string', repeat: true, valueName: 'NAME=DIMS', summary: 'an input shape' },
    { name: 'out', short: 'o', type: 'string', valueName: 'FILE', summary: 'output file' },
    { name: 'json', type: 'boolean', summary: 'JSON output' },
    { name: 'f16', type: 'boolean', summary: 'use f16' },
  ],
  positionals: ['MODEL'],
  minPositionals: 1,
};

describe('parseArgs', () => {
  it('collects repeatable flags, booleans and positionals in any order', () => {
    const a = parseArgs(
      ['--input', 'x=a.npy', 'model.onnx', '--json', '--shape=x=1x3x320x320', '--input=y=b.npy', '-o', 'out.json'],
      runSpec,
    );
    expect(a.positionals).toEqual(['model.onnx']);
    expect(a.flags.input).toEqual(['x=a.npy', 'y=b.npy']);
    expect(a.flags.shape).toEqual(['x=1x3x320x320']);
    expect(a.flags.json).toBe(true);
    expect(a.flags.f16).toBe(false);
    expect(a.flags.out).toBe('out.json');
  });

  it('gives defaults: false for booleans, [] for repeatable, undefined for single values', () => {
    const a = parseArgs(['m.onnx'], runSpec);
    expect(a.flags).toEqual({ input: [], shape: [], out: undefined, json: false, f16: false });
  });

  it('treats everything after -- as positional', () => {
    const a = parseArgs(['--', '--json'], { positionals: ['FILES...'] });
    expect(a.positionals).toEqual(['--json']);
    expect(a.flags).toEqual({});
  });

  it('lets a value start with a dash', () => {
    expect(parseArgs(['m', '--out', '-'], runSpec).flags.out).toBe('-');
  });

  it.each([
    [['m', '--nope'], /unknown flag --nope/],
    [['m', '-x'], /unknown flag -x/],
    [['m', '--json=yes'], /takes no value/],
    [['m', '--out'], /needs a value/],
    [['m', '--out', 'a', '--out', 'b'], /more than once/],
    [[], /missing MODEL/],
    [['m', 'extra'], /unexpected argument 'extra'/],
  ])('rejects %j', (argv, message) => {
    let err: unknown;
    try {
      parseArgs(argv, runSpec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toBeInstanceOf(KestrelError);
    expect((err as KestrelError).code).toBe('USAGE');
    expect((err as Error).message).toMatch(message);
  });

  it('accepts any number of positionals for a trailing "..."', () => {
    expect(parseArgs(['a', 'b', 'c'], { positionals: ['FILES...'] }).positionals).toEqual(['a', 'b', 'c']);
  });
});

describe('NAME=VALUE and shapes', () => {
  it('splits NAME=VALUE on the first =', () => {
    expect([...keyValues(['x=a=b.npy', 'y=c'], '--input')]).toEqual([
      ['x', 'a=b.npy'],
      ['y', 'c'],
    ]);
  });

  it.each(['x', '=a', 'x='])('rejects %j', (item) => {
    expect(() => keyValues([item], '--input')).toThrow(/--input expects NAME=VALUE/);
  });

  it('rejects a name given twice', () => {
    expect(() => keyValues(['x=1', 'x=2'], '--input')).toThrow(/x given more than once/);
  });

  it('parses dims written with x', () => {
    expect(parseDims('1x3x320x320')).toEqual([1, 3, 320, 320]);
    expect(parseDims('7')).toEqual([7]);
    expect(parseDims('scalar')).toEqual([]);
    expect([...parseShapes(['x=1x3x32x32', 'y=4'])]).toEqual([
      ['x', [1, 3, 32, 32]],
      ['y', [4]],
    ]);
  });

  it.each(['', '1x', '1x-3', '1x3.5', 'axb', '1xx2'])('rejects dims %j', (text) => {
    expect(() => parseDims(text)).toThrow(UsageError);
  });

  it('formats flag help aligned, marking repeatable flags', () => {
    const lines = formatFlags(runSpec);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ {2}--input NAME=FILE +an input tensor \(repeatable\)$/);
    expect(lines[2]).toContain('-o, --out FILE');
    const summaryColumns = lines.map((l, i) => l.indexOf(runSpec.flags![i].summary));
    expect(new Set(summaryColumns).size).toBe(1);
  });
});

describe('main', () => {
  function capture(): CliIo & { stdout: string; stderr: string } {
    const io = {
      stdout: '',
      stderr: '',
      out: (t: string) => {
        io.stdout += `${t}\n`;
      },
      err: (t: string) => {
        io.stderr += `${t}\n`;
      },
    };
    return io;
  }
  const seen: unknown[] = [];
  const commands: Command[] = [
    {
      name: 'echo',
      summary: 'prints its inputs',
      usage: 'echo MODEL [--input NAME=FILE]...',
      args: runSpec,
      run(args, io) {
        seen.push(args);
        io.out(JSON.stringify(args.flags.input));
        return Promise.resolve(args.flags.json ? EXIT_FAILURE : EXIT_OK);
      },
    },
    {
      name: 'broken-model',
      summary: 'throws a model error',
      usage: 'broken-model',
      args: {},
      run: () => Promise.reject(new KestrelError('MODEL_FORMAT', 'not an ONNX model')),
    },
    {
      name: 'crash',
      summary: 'throws a plain error',
      usage: 'crash',
      args: {},
      run: () => Promise.reject(new TypeError('bug')),
    },
  ];

  it('lists every command in --help and exits 0', async () => {
    const io = capture();
    expect(await main(['--help'], io, commands)).toBe(EXIT_OK);
    for (const c of commands) expect(io.stdout).toContain(`${c.name}  `);
    expect(io.stdout).toContain(commands[0].summary);
  });

  it('exits 2 with help when no command is given', async () => {
    const io = capture();
    expect(await main([], io, commands)).toBe(EXIT_USAGE);
    expect(io.stdout).toContain('usage: kestrel <command>');
  });

  it('runs a command with parsed args and returns its code', async () => {
    const io = capture();
    expect(await main(['echo', 'm.onnx', '--input', 'x=a.npy'], io, commands)).toBe(EXIT_OK);
    expect(io.stdout.trim()).toBe('["x=a.npy"]');
    expect(await main(['echo', 'm.onnx', '--json'], capture(), commands)).toBe(EXIT_FAILURE);
  });

  it('prints command help for --help and for help <command>', async () => {
    for (const argv of [
      ['echo', '--help'],
      ['help', 'echo'],
      ['echo', '-h'],
    ]) {
      const io = capture();
      expect(await main(argv, io, commands)).toBe(EXIT_OK);
      expect(io.stdout).toContain('usage: kestrel echo MODEL');
      expect(io.stdout).toContain('--input NAME=FILE');
    }
  });

  it('maps an unknown flag to a usage error, exit 2', async () => {
    const io = capture();
    expect(await main(['echo', 'm', '--bogus'], io, commands)).toBe(EXIT_USAGE);
    expect(io.stderr).toMatch(/^error: unknown flag --bogus\nusage: kestrel echo/);
  });

  it('maps an unknown command to exit 2', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io, commands)).toBe(EXIT_USAGE);
    expect(io.stderr).toContain("error: unknown command 'frobnicate'");
  });

  it('maps a KestrelError to `error: <message>` and exit 2', async () => {
    const io = capture();
    expect(await main(['broken-model'], io, commands)).toBe(EXIT_USAGE);
    expect(io.stderr).toBe('error: not an ONNX model\n');
  });

  it('maps any other error to exit 1 with its stack', async () => {
    const io = capture();
    expect(await main(['crash'], io, commands)).toBe(EXIT_FAILURE);
    expect(io.stderr).toMatch(/^error: bug\nTypeError: bug/);
  });

  it('registers doctor by default', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(EXIT_OK);
    expect(io.stdout).toMatch(/^ {2}doctor {2}/m);
  });
});
