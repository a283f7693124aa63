// scripts/test-summary.mjs on vitest JSON shaped like vitest 3 writes it (shapes taken from real runs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize, summarizeRuns } from '../../scripts/test-summary.mjs';

const repo = join(import.meta.dirname, '..', '..');
const t = (title: string, status: string) => ({ ancestorTitles: ['suite'], title, status });
const file = (name: string, status: string, tests: object[], message = '') => ({
  name: `/r/test/${name}`,
  status,
  message,
  assertionResults: tests,
});

describe('summarize', () => {
  it('counts passed and failed tests', () => {
    const s = summarize({
      testResults: [file('a.test.ts', 'failed', [t('x', 'passed'), t('y', 'failed'), t('z', 'passed')])],
    });
    expect(s.line).toBe('2 passed, 1 failed');
    expect(s.notes).toContain('failed: /r/test/a.test.ts > suite > y');
  });

  it('appends skipped only when there are some, counting todo as skipped', () => {
    expect(summarize({ testResults: [file('a.test.ts', 'passed', [t('x', 'passed')])] }).line).toBe(
      '1 passed, 0 failed',
    );
    const s = summarize({
      testResults: [
        file('a.test.ts', 'passed', [t('x', 'passed'), t('s', 'skipped'), t('d', 'todo'), t('p', 'pending')]),
      ],
    });
    expect(s.line).toBe('1 passed, 0 failed, 3 skipped');
    expect(s.failed).toBe(0);
  });

  it('counts a file that failed to load as a failure', () => {
    const s = summarize({
      testResults: [
        file('ok.test.ts', 'passed', [t('x', 'passed')]),
        file('broken.test.ts', 'failed', [], "Cannot find module './nonexistent.js'"),
        file('empty.test.ts', 'failed', [], 'No test suite found in file'),
      ],
    });
    expect(s.line).toBe('1 passed, 2 failed');
    expect(s.notes.some((n) => n.includes("broken.test.ts: Cannot find module './nonexistent.js'"))).toBe(true);
  });

  it('counts a failed hook (tests reported skipped) as a failure', () => {
    const s = summarize({ testResults: [file('hook.test.ts', 'failed', [t('y', 'skipped')], 'hook fail')] });
    expect(s.line).toBe('0 passed, 1 failed, 1 skipped');
  });

  it('does not count a file twice when its failure is a failed test', () => {
    expect(summarize({ testResults: [file('a.test.ts', 'failed', [t('y', 'failed')], 'y failed')] }).failed).toBe(1);
  });

  it('in CI counts every skipped test as failed', () => {
    const s = summarize(
      {
        testResults: [file('gpu.test.ts', 'passed', [t('x', 'passed'), t('needs gpu', 'skipped'), t('later', 'todo')])],
      },
      { ci: true },
    );
    expect(s.line).toBe('1 passed, 2 failed, 2 skipped');
    expect(s.notes.filter((n) => n.startsWith('skipped (counts as failed in CI)'))).toHaveLength(2);
  });

  it('reports a missing results file, or a run with no tests, as 0 passed, 1 failed', () => {
    expect(summarize(null).line).toBe('0 passed, 1 failed');
    expect(summarize({}).line).toBe('0 passed, 1 failed');
    expect(summarize({ testResults: [] }).line).toBe('0 passed, 1 failed');
  });

  it('counts a non-zero vitest exit with no failed test (an unhandled error) as a failure', () => {
    const results = { testResults: [file('a.test.ts', 'passed', [t('x', 'passed')])] };
    expect(summarize(results, { vitestExit: 1 }).line).toBe('1 passed, 1 failed');
    expect(summarize(results, { vitestExit: 0 }).line).toBe('1 passed, 0 failed');
  });
});

describe('summarizeRuns: the default-adapter and SwiftShader runs in one line', () => {
  const lavapipe = { testResults: [file('a.test.ts', 'passed', [t('x', 'passed'), t('y', 'failed')])] };
  const swiftshader = { testResults: [file('k.test.ts', 'passed', [t('x', 'passed'), t('z', 'skipped')])] };

  it('adds the counts of both runs and labels each note with its run', () => {
    const s = summarizeRuns([
      { label: 'lavapipe', results: lavapipe },
      { label: 'swiftshader', results: swiftshader },
    ]);
    expect(s.line).toBe('2 passed, 1 failed, 1 skipped');
    expect(s.notes).toEqual(['lavapipe: failed: /r/test/a.test.ts > suite > y']);
    expect(
      summarizeRuns(
        [
          { label: 'l', results: lavapipe },
          { label: 's', results: swiftshader },
        ],
        { ci: true },
      ).line,
    ).toBe('2 passed, 2 failed, 1 skipped');
  });

  it('counts a run that wrote no results as a failure even when the other passed', () => {
    const s = summarizeRuns([
      { label: 'lavapipe', results: { testResults: [file('a.test.ts', 'passed', [t('x', 'passed')])] } },
      { label: 'swiftshader', results: null },
    ]);
    expect(s.line).toBe('1 passed, 1 failed');
    expect(s.notes[0]).toMatch(/^swiftshader: no vitest results/);
  });
});

describe('test-summary.mjs as a command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-summary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(repo, 'scripts/test-summary.mjs'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, CI: '', ...env },
    });
  const lastLine = (s: string) => s.trimEnd().split('\n').pop();

  it('prints the summary as the last line and exits 0 when all passed', () => {
    const p = join(dir, 'ok.json');
    writeFileSync(
      p,
      JSON.stringify({ testResults: [file('a.test.ts', 'passed', [t('x', 'passed'), t('s', 'skipped')])] }),
    );
    const r = run(['--results', p]);
    expect(lastLine(r.stdout)).toBe('1 passed, 0 failed, 1 skipped');
    expect(r.status).toBe(0);
    const ci = run(['--results', p], { CI: 'true' });
    expect(lastLine(ci.stdout)).toBe('1 passed, 1 failed, 1 skipped');
    expect(ci.status).toBe(1);
  });

  it('counts several --results files into one line', () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(
      a,
      JSON.stringify({ testResults: [file('a.test.ts', 'passed', [t('x', 'passed'), t('y', 'passed')])] }),
    );
    writeFileSync(b, JSON.stringify({ testResults: [file('b.test.ts', 'failed', [t('z', 'failed')])] }));
    const r = run(['--results', a, '--results', b]);
    expect(lastLine(r.stdout)).toBe('2 passed, 1 failed');
    expect(r.status).toBe(1);
    const one = run(['--results', a, '--results', join(dir, 'none.json')]);
    expect(lastLine(one.stdout)).toBe('2 passed, 1 failed');
  });

  it('exits 1 with 0 passed, 1 failed when the results file is missing or corrupt', () => {
    const missing = run(['--results', join(dir, 'none.json')]);
    expect(lastLine(missing.stdout)).toBe('0 passed, 1 failed');
    expect(missing.status).toBe(1);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"testResults": [');
    const corrupt = run(['--results', bad]);
    expect(lastLine(corrupt.stdout)).toBe('0 passed, 1 failed');
    expect(corrupt.status).toBe(1);
  });
});
