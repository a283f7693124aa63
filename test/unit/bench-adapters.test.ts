// `npm run bench -- --adapters`: the flag parsing and the side-by-side report (one column group per adapter).
import { describe, expect, it } from 'vitest';
import { parseAdapterList, withoutFlag } from '../../kernels-bench/adapters.js';
import { sideBySideReport } from '../../kernels-bench/report-adapters.js';
import type { BenchResults } from '../../kernels-bench/results.js';

const results = (adapter: string, f32Gflops: number, variant: string, ms: number): BenchResults =>
  ({
    adapter,
    ceilings: { f32Gflops, f16Gflops: null, dot4Gops: 8, copyGBs: 4, copyBufferGBs: 9, dispatchUs: 12 },
    cases: [
      {
        id: 'matmul/square-1024',
        rungs: [
          {
            rung: 'default',
            variants: [variant],
            ms,
            gflops: (2.147 / ms) * 1000,
            ceilingPct: 50,
            ok: true,
            error: undefined,
          },
        ],
      },
    ],
    notes: [],
  }) as unknown as BenchResults;

describe('bench --adapters', () => {
  it('parses the adapter list and rejects unknown or repeated names', () => {
    expect(parseAdapterList('--adapters', 'lavapipe,swiftshader')).toEqual(['lavapipe', 'swiftshader']);
    expect(() => parseAdapterList('--adapters', 'lavapipe,metal')).toThrow("--adapters: unknown adapter 'metal'");
    expect(() => parseAdapterList('--adapters', 'lavapipe,lavapipe')).toThrow('named twice');
    expect(withoutFlag(['--quick', '--adapters', 'a,b', '--json=x', '--only', 'm'], 'adapters')).toEqual([
      '--quick',
      '--json=x',
      '--only',
      'm',
    ]);
    expect(withoutFlag(['--json=x', '--quick'], 'json')).toEqual(['--quick']);
  });

  it('puts each adapter in its own column group, row by row', () => {
    const md = sideBySideReport([
      { kind: 'lavapipe', code: 0, results: results('llvmpipe', 40, 'matmul.sg16x8', 100) },
      { kind: 'swiftshader', code: 1, results: results('SwiftShader', 5, 'matmul.plain8x4', 1000) },
    ]);
    expect(md).toContain('- swiftshader: SwiftShader (exit 1)');
    expect(md).toMatch(/^\| f32 multiply-add peak, GFLOP\/s \| 40 \| 5 \|$/m);
    expect(md).toMatch(
      /^\| matmul\/square-1024 \| default \| matmul\.sg16x8 \| 21\.5 \| 50\.0% \| matmul\.plain8x4 \| 2\.15 \| 50\.0% \|$/m,
    );
  });
});
