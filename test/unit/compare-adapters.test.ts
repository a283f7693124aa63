// `npm run compare -- --adapters`: each adapter's comparison in one table per model, a column group per adapter.
import { describe, expect, it } from 'vitest';
import { type CompareJson, sideBySide } from '../../kernels-bench/compare-side.js';

const json = (adapter: string, kestrel: number, ortWeb: number, coldOff: [number, number] | null): CompareJson => ({
  adapter,
  results: [
    {
      student: 'cls',
      warm: [
        { engine: 'kestrel', ms: kestrel, runs: [kestrel], firstLoadMs: 1 },
        { engine: 'ort-web', ms: ortWeb, runs: [ortWeb], firstLoadMs: 1 },
      ],
      cold: coldOff
        ? [
            { engine: 'kestrel', student: 'cls', cache: 'off', ok: true, totalMs: coldOff[0] },
            { engine: 'ort-web', student: 'cls', cache: 'off', ok: true, totalMs: coldOff[1] },
          ]
        : [],
    },
  ],
});

describe('compare --adapters', () => {
  it('puts each adapter in its own column group, with ORT-web / Kestrel per adapter', () => {
    const md = sideBySide([
      { kind: 'lavapipe', code: 0, stdout: '# lavapipe report', json: json('llvmpipe', 10, 40, [100, 2500]) },
      { kind: 'swiftshader', code: 0, stdout: '# swiftshader report', json: json('swiftshader', 200, 900, null) },
    ]);
    expect(md).toContain('- swiftshader: swiftshader (exit 0)');
    expect(md).toContain(
      '| what | lavapipe Kestrel | lavapipe ORT-web 1.22 | lavapipe ORT-web / Kestrel | swiftshader Kestrel |',
    );
    expect(md).toMatch(/^\| warm latency, median \| 10 ms \| 40 ms \| 4\.00x \| 200 ms \| 900 ms \| 4\.50x \|$/m);
    expect(md).toMatch(/^\| cold start, shader cache off \| 100 ms \| 2500 ms \| 25\.0x \| {2}\| {2}\| {2}\|$/m);
    expect(md.indexOf('# lavapipe report')).toBeGreaterThan(md.indexOf('## ppocr cls'));
    expect(md).toContain('# swiftshader report');
  });
});
