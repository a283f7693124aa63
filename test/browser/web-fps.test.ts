// kernels-bench/web-fps.ts, the web page's frame-rate bench: mistyped flags are errors, the hard timeout ends a run
// with a clear error instead of a hang, N reads of one frame all come back (the page stops after each read), and its
// Chromium memory figure agrees with ps.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumPssMb } from '../../kernels-bench/chromium.js';
import { loadFrames } from '../../src/demo/node.js';

const repo = join(import.meta.dirname, '..', '..');
/** Runs the bench in a child process; async, so the test worker keeps answering vitest while it runs. */
function run(args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'kernels-bench', 'web-fps.ts'), ...args], {
    cwd: repo,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(killer);
      resolve({ status, stdout, stderr });
    }),
  );
}

describe('kernels-bench/web-fps.ts', () => {
  it.each([
    [['--frams', '2'], 'UsageError: unknown flag --frams'],
    [['--frames', '0'], "--frames must be a whole number >= 1 (got '0')"],
    [['--timeout', '1.5'], "--timeout must be a whole number >= 1 (got '1.5')"],
    [['--det-size', '640'], "--det-size must be 960 or 320 (got '640')"],
    [['--frame', '99-none.jpg'], "--frame '99-none.jpg' is not a bundled frame (one of 01-speed-limit.jpg"],
    [['--repo', '/tmp'], '--repo /tmp has no web/app.js'],
    [['--precision', 'int4'], "--precision 'int4' is not one the page offers (f32, int8"],
  ])('%j is refused: %s', async (args, message) => {
    const r = await run(args, 60_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
  });

  it('stops at --timeout with a LimitError naming how far it got, not a hang', async () => {
    const started = Date.now();
    const r = await run(['--frames', '50', '--timeout', '10'], 120_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/LimitError: web-fps: --timeout 10 s passed with \d+ of 50 frames read \(page status '/);
    // the deadline plus closing the browser (15 s at most) and starting tsx; never the frames' minutes
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 130_000);

  it('reads the same frame each time, each with the true text', async () => {
    const frame = '02-stop.jpg';
    const truth = loadFrames()
      .frames.find((f) => f.file === frame)!
      .lines.map((l) => l.text);
    const r = await run(['--frames', '2', '--det-size', '320', '--frame', frame, '--timeout', '500'], 520_000);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const frames = r.stdout.split('\n').filter((l) => /^frame \d+: /.test(l));
    expect(frames.map((l) => l.split(':')[0])).toEqual(['frame 1', 'frame 2']);
    for (const line of frames) {
      const read = /read "([^"]*)"/.exec(line)![1].split(' | ');
      expect(read.sort()).toEqual([...truth].sort());
      // a frame's ms is its wall time less plan building, as the page's FPS chip counts it
      const [, frameMs, wall, compile] = /: ([\d.]+) ms .*= wall ([\d.]+) - plan building ([\d.]+);/
        .exec(line)!
        .map(Number);
      expect(Math.abs(frameMs - (wall - compile))).toBeLessThanOrEqual(1);
    }
    expect(r.stdout).toMatch(/^adapter: .*swiftshader/im);
    expect(r.stdout).toContain(`frame ${frame}, det size 320`);
  }, 540_000);

  it("sums a process tree's memory by PSS: no more than ps counts as RSS, 0 when nothing matches", async () => {
    const marker = `/tmp/kestrel-web-fps-test-${process.pid}`;
    // a parent with one child, found by the --user-data-dir argument as Chromium's browser process is
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '-e',
        "require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'inherit' }); setTimeout(() => {}, 30000)",
        '--',
        `--user-data-dir=${marker}`,
      ],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const pss = chromiumPssMb(marker);
      const rssKb = execFileSync('ps', ['-o', 'rss=', '--ppid', String(child.pid), '-p', String(child.pid)], {
        encoding: 'utf8',
      })
        .trim()
        .split(/\s+/)
        .map(Number);
      expect(rssKb).toHaveLength(2);
      const rssMb = rssKb.reduce((a, b) => a + b, 0) / 1024;
      // two idle Node processes hold some tens of MB; PSS splits shared pages, so it stays at or under RSS
      expect(pss).toBeGreaterThan(10);
      expect(pss).toBeLessThanOrEqual(rssMb + 1);
      expect(chromiumPssMb(`${marker}-nobody`)).toBe(0);
    } finally {
      child.kill();
    }
  });
});
