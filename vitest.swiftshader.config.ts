// The kernel suite again on the second adapter, SwiftShader (`npm run test:swiftshader`; `npm test` runs it).
// SwiftShader lacks shader-f16: under KESTREL_ADAPTER=swiftshader the kernel suites register their f32 cases only
// (test/kernels/storage.ts), and adapter-f16.test.ts and the Winograd f16 cases assert the typed refusal instead.
import { defineConfig } from 'vitest/config';
import { baseTest } from './vitest.config.js';

export default defineConfig({
  test: {
    ...baseTest,
    include: ['test/kernels/**/*.test.ts'],
    // conv-tiled: SwiftShader's compile of its KxK pipelines runs out of memory (a known finding, see conv.ts);
    // the kernel is not selectable until that is solved
    exclude: ['test/kernels/conv-tiled.test.ts'],
    env: { KESTREL_ADAPTER: 'swiftshader' },
    outputFile: { json: '.cache/vitest-results-swiftshader.json' },
  },
});
