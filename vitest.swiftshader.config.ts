// The kernel suite again on the second adapter, SwiftShader (`npm run test:swiftshader`; `npm test` runs it).
// The f16-*.test.ts suites need shader-f16, which SwiftShader lacks: adapter-f16.test.ts and the Winograd f16
// cases assert the typed refusal there instead.
import { defineConfig } from 'vitest/config';
import { baseTest } from './vitest.config.js';

export default defineConfig({
  test: {
    ...baseTest,
    include: ['test/kernels/**/*.test.ts'],
    // conv-tiled: SwiftShader's compile of its KxK pipelines runs out of memory (a known finding, see conv.ts);
    // the kernel is not selectable until that is solved
    exclude: ['test/kernels/f16-*.test.ts', 'test/kernels/depthwise-f16.test.ts', 'test/kernels/conv-tiled.test.ts'],
    env: { KESTREL_ADAPTER: 'swiftshader' },
    outputFile: { json: '.cache/vitest-results-swiftshader.json' },
  },
});
