// Every official ONNX backend test case whose ops and dtypes Kestrel claims must pass.
import { describe, expect, it } from 'vitest';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import { testGpu } from '../kernels/harness.js';
import { caseStatus, listCases } from './runner.js';
import { EXCLUSIONS } from './exclusions.js';

const cases = listCases();
const claimed = cases.filter((c) => !c.unclaimed && !EXCLUSIONS[`${c.suite}/${c.name}`]);

describe('ONNX backend test data (libonnx-testdata)', () => {
  it('finds the test data', () => {
    expect(cases.length).toBeGreaterThan(900);
    expect(claimed.length).toBeGreaterThan(300);
  });
  let cache: PipelineCache | null = null;
  for (const c of claimed) {
    it(`${c.suite}/${c.name}`, async () => {
      const ctx = await testGpu();
      cache ??= new PipelineCache(ctx);
      // a typed UnsupportedOpError names the unsupported feature and is listed in docs/CONFORMANCE.md
      expect(await caseStatus(c, ctx, cache)).toMatch(/^(pass|unsupported: )/);
    });
  }
});
