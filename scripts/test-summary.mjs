// Reads vitest's JSON results and prints, as the very last line, `N passed, M failed` (+ `, K skipped` when K > 0).
// Rules: todo counts as skipped; a test file that failed to load or collect, or whose hooks failed, counts as
// (at least) one failure; a missing or unreadable results file is `0 passed, 1 failed`; so is a run with no
// tests. With CI=true every skipped test also counts as failed: a GPU test must never pass CI by skipping.
// A non-zero vitest exit with no failed test (e.g. an unhandled error) counts as one failure.
// Several results files (`npm test` writes one per adapter run) are counted into the one line; each missing one
// is a failure. Exit status: 1 when anything failed, else 0.
// Usage: node scripts/test-summary.mjs [--results FILE]... [--vitest-exit CODE] [--ci]
//   default: --results .cache/vitest-results.json --results .cache/vitest-results-swiftshader.json
import { existsSync, readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SKIPPED = new Set(['skipped', 'pending', 'todo', 'disabled']);

/**
 * @param {any} results vitest's JSON report, or null when it was not written
 * @param {{ ci?: boolean, vitestExit?: number | null, cwd?: string }} opts
 * @returns {{ passed: number, failed: number, skipped: number, notes: string[], line: string }}
 */
export function summarize(results, opts = {}) {
  const notes = [];
  const cwd = opts.cwd ?? process.cwd();
  const rel = (p) => (!p ? '?' : p.startsWith(`${cwd}${sep}`) ? relative(cwd, p) : p);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const files = Array.isArray(results?.testResults) ? results.testResults : null;
  if (!files) {
    notes.push('no vitest results were written (vitest crashed or did not run)');
    failed = 1;
  } else {
    for (const file of files) {
      const tests = Array.isArray(file.assertionResults) ? file.assertionResults : [];
      let failedHere = 0;
      for (const t of tests) {
        const name = [...(t.ancestorTitles ?? []), t.title].join(' > ');
        if (t.status === 'passed') passed++;
        else if (SKIPPED.has(t.status)) {
          skipped++;
          if (opts.ci) notes.push(`skipped (counts as failed in CI): ${rel(file.name)} > ${name}`);
        } else {
          failed++;
          failedHere++;
          notes.push(`failed: ${rel(file.name)} > ${name}`);
        }
      }
      // A file can fail with no failed test: an import error, a throw while collecting, a failing hook, no tests.
      if (file.status === 'failed' && failedHere === 0) {
        failed++;
        const why = String(file.message ?? '').split('\n')[0] || 'failed to load';
        notes.push(`file failed: ${rel(file.name)}: ${why}`);
      }
    }
    if (passed + failed + skipped === 0) {
      notes.push('no tests ran');
      failed = 1;
    }
  }
  if (opts.ci) failed += skipped;
  return finish({ passed, failed, skipped, notes }, opts);
}

function finish({ passed, failed, skipped, notes }, opts) {
  if (failed === 0 && opts.vitestExit != null && opts.vitestExit !== 0) {
    notes.push(`vitest exited with code ${opts.vitestExit} although no test failed (an unhandled error?)`);
    failed = 1;
  }
  const line = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
  return { passed, failed, skipped, notes, line };
}

/**
 * Several vitest runs (one per adapter) counted as one: each run as summarize() counts it, notes prefixed
 * with the run's label; the vitest exit applies to the whole.
 * @param {{ label: string, results: any }[]} runs
 * @param {{ ci?: boolean, vitestExit?: number | null, cwd?: string }} opts
 */
export function summarizeRuns(runs, opts = {}) {
  const total = { passed: 0, failed: 0, skipped: 0, notes: [] };
  for (const run of runs) {
    const s = summarize(run.results, { ...opts, vitestExit: null });
    total.passed += s.passed;
    total.failed += s.failed;
    total.skipped += s.skipped;
    total.notes.push(...s.notes.map((n) => (runs.length > 1 ? `${run.label}: ${n}` : n)));
  }
  return finish(total, opts);
}

function parseCli(argv) {
  const opts = {
    results: [],
    vitestExit: null,
    ci: process.env.CI === 'true' || process.env.CI === '1',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--results') opts.results.push(argv[++i]);
    else if (a === '--vitest-exit') opts.vitestExit = Number(argv[++i]);
    else if (a === '--ci') opts.ci = true;
    else {
      console.error(`test-summary: unknown argument ${a}`);
      process.exit(2);
    }
  }
  if (!opts.results.length) opts.results = DEFAULT_RESULTS;
  return opts;
}

const DEFAULT_RESULTS = ['.cache/vitest-results.json', '.cache/vitest-results-swiftshader.json'];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = parseCli(process.argv.slice(2));
  const runs = opts.results.map((file) => {
    let results = null;
    if (existsSync(file)) {
      try {
        results = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        console.log(`test-summary: ${file} is not valid JSON: ${e.message}`);
      }
    } else {
      console.log(`test-summary: ${file} does not exist`);
    }
    return { label: file, results };
  });
  const s = summarizeRuns(runs, opts);
  for (const n of s.notes) console.log(`test-summary: ${n}`);
  console.log(s.line);
  process.exit(s.failed > 0 ? 1 : 0);
}
