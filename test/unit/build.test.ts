// The esbuild bundles (scripts/build.mjs) and the built CLI: shaders inlined, no Node modules in the browser
// bundle, and `kestrel doctor --json` reporting a real adapter.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_GZIP_BUDGET,
  buildAll,
  collectShaders,
  inlineShadersPlugin,
  noNodeBuiltinsPlugin,
} from '../../scripts/build.mjs';
import { shaderTable } from '../../src/shaders/table.js';
import type { assembleShader } from '../../src/shaders/assemble.js';
import { graph, io, node } from '../onnx-builder.js';

/** What `kestrel doctor --json` prints per adapter (the fields these tests read). */
interface DoctorReport {
  kind: string;
  error?: string;
  adapter: { description: string };
  features: Record<string, boolean>;
  subgroupSize: { min: number; max: number };
  limits: Record<string, number>;
  adapterFeatures: string[];
}

const repo = join(import.meta.dirname, '..', '..');
const dist = (f: string) => join(repo, 'dist', f);
const BUNDLES = ['kestrel.node.mjs', 'kestrel.browser.mjs', 'demo.node.mjs', 'demo.browser.mjs', 'cli.mjs'];
let rows: Awaited<ReturnType<typeof buildAll>>;

const reluModel = () => graph([node('Relu', ['x'], ['y'])], [io('x', [4])], [io('y', [4])]);

beforeAll(async () => {
  rows = await buildAll();
}, 60_000);

describe('bundles', () => {
  it('writes the node, browser, demo and CLI bundles', () => {
    for (const f of BUNDLES) {
      expect(existsSync(dist(f)), f).toBe(true);
      expect(readFileSync(dist(f), 'utf8').length).toBeGreaterThan(1000);
    }
  });

  it('keeps Node modules out of the browser bundles', () => {
    for (const f of ['kestrel.browser.mjs', 'demo.browser.mjs']) {
      const code = readFileSync(dist(f), 'utf8');
      expect(code, f).not.toMatch(/from\s*["']node:/);
      expect(code, f).not.toMatch(/\brequire\(\s*["']/);
    }
  });

  it('no bundle generates code from strings (runs under a no-eval CSP)', () => {
    // protobufjs's reflection did this as Function.apply(null, args) and eval("quire"): catch those spellings too
    const CODEGEN = [/\bnew\s+Function\b/, /(^|[^\w$.])Function\s*(\(|\.apply\b|\.call\b)/m, /\beval\b/];
    for (const f of BUNDLES) {
      const code = readFileSync(dist(f), 'utf8');
      for (const pattern of CODEGEN) expect(code, `${f}: ${pattern}`).not.toMatch(pattern);
    }
  });

  it('the main entry carries no demo code; the minified browser bundle is under its gzip budget', () => {
    for (const f of ['kestrel.node.mjs', 'kestrel.browser.mjs']) {
      const code = readFileSync(dist(f), 'utf8');
      for (const name of ['OcrPipeline', 'ctcGreedyDecode', 'boxesFromProbMap']) expect(code, f).not.toContain(name);
    }
    expect(readFileSync(dist('demo.browser.mjs'), 'utf8')).toContain('ctcGreedyDecode');
    const browser = rows.find((r) => r.outfile === 'dist/kestrel.browser.mjs')!;
    expect(browser.minified).toBe(true);
    expect(browser.gzipBytes).toBeLessThan(BROWSER_GZIP_BUDGET);
    expect(browser.gzipBytes).toBe(gzipSync(readFileSync(dist('kestrel.browser.mjs')), { level: 9 }).length);
  });

  it('the Node bundle imports and runs a model with code generation from strings disallowed', () => {
    const script = `import { Session, hostTensor } from ${JSON.stringify(dist('kestrel.node.mjs'))};
const model = ${JSON.stringify(Array.from(reluModel()))};
const s = await Session.create(new Uint8Array(model));
const out = await s.run({ x: { data: new Float32Array([-1, 2, -3, 4]), shape: [4] } });
console.log(JSON.stringify(Array.from(out.y.data)));
s.release();`;
    const r = spawnSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual([0, 2, 0, 4]);
  });

  it('never reads shaders/ from disk in any bundle', () => {
    for (const f of BUNDLES) {
      // shaders/table.ts reads this folder from disk; the bundles must carry the inlined table instead
      expect(readFileSync(dist(f), 'utf8'), f).not.toContain("'../../shaders/'");
    }
  });

  it('the node bundle loads and exports the public API', async () => {
    const mod = (await import(dist('kestrel.node.mjs'))) as typeof import('../../src/index.js');
    expect(mod.createGpuContext).toBeTypeOf('function');
    expect(mod.KestrelError).toBeTypeOf('function');
  });

  it('inlines every .wgsl file, identical to what shaders/table.ts reads from disk', async () => {
    // Bundle the real shader loader for the browser, then run the bundle and compare its table with the disk.
    const out = await esbuild.build({
      stdin: {
        contents:
          "export { shaderTable } from './src/shaders/table.js';\nexport { assembleShader } from './src/shaders/assemble.js';",
        resolveDir: repo,
        sourcefile: 'entry.ts',
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      plugins: [noNodeBuiltinsPlugin, inlineShadersPlugin],
    });
    const code = out.outputFiles[0].text;
    expect(code).not.toContain('node:fs');
    const bundled = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as {
      shaderTable: typeof shaderTable;
      assembleShader: typeof assembleShader;
    };
    const disk = shaderTable();
    expect(Object.keys(disk).length).toBeGreaterThan(0);
    expect(collectShaders()).toEqual(disk);
    expect(bundled.shaderTable()).toEqual(disk);
    expect(bundled.assembleShader({ file: 'binary.wgsl', prelude: { elem_t: 'f32' } })).toContain(
      disk['lib/indexing.wgsl'],
    );
  });

  it('lets a package map a Node module away in its "browser" field (protobufjs: fs -> false)', async () => {
    const out = await esbuild.build({
      stdin: {
        contents: "import protobuf from 'protobufjs/light.js'; export const Root = protobuf.Root;",
        resolveDir: repo,
        sourcefile: 'pb.ts',
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      plugins: [noNodeBuiltinsPlugin],
    });
    expect(out.outputFiles[0].text).not.toMatch(/require\(\s*["']fs["']\)/);
  });

  it('fails a browser build that imports a Node module', async () => {
    await expect(
      esbuild.build({
        stdin: {
          contents: "import { readFileSync } from 'node:fs'; export const x = readFileSync;",
          resolveDir: repo,
          sourcefile: 'bad.ts',
          loader: 'ts',
        },
        bundle: true,
        format: 'esm',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
        plugins: [noNodeBuiltinsPlugin],
      }),
    ).rejects.toThrow(/must not import the Node module 'node:fs'/);
  });
});

describe('bin/kestrel.mjs', () => {
  const kestrel = (...args: string[]) =>
    spawnSync(process.execPath, [join(repo, 'bin/kestrel.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });

  it('--help lists the commands', () => {
    const r = kestrel('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: kestrel <command>/);
    expect(r.stdout).toMatch(/^ {2}doctor {2}/m);
  });

  it('an unknown flag is a usage error (exit 2)', () => {
    const r = kestrel('doctor', '--nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: unknown flag --nope');
  });

  it('doctor --json reports both adapters, each probed in its own process, with features and limits', () => {
    const r = kestrel('doctor', '--json');
    expect(r.status, r.stderr).toBe(0);
    const reports = JSON.parse(r.stdout) as DoctorReport[];
    expect(reports.map((p: { kind: string }) => p.kind)).toEqual(['lavapipe', 'swiftshader']);
    const [lvp, ss] = reports;
    expect(lvp.error).toBeUndefined();
    expect(ss.error).toBeUndefined();
    expect(lvp.adapter.description).toMatch(/^llvmpipe/);
    expect(ss.adapter.description).toMatch(/SwiftShader/);
    // Known facts of the two drivers (ADAPTER-NOTES.md): only lavapipe has shader-f16; subgroups are 8 vs 4 wide.
    expect(lvp.features['shader-f16']).toBe(true);
    expect(ss.features['shader-f16']).toBe(false);
    expect(lvp.subgroupSize).toEqual({ min: 8, max: 8 });
    expect(ss.subgroupSize).toEqual({ min: 4, max: 4 });
    for (const report of reports) {
      for (const f of ['shader-f16', 'subgroups', 'timestamp-query', 'packed_4x8_integer_dot_product']) {
        expect(report.features[f], f).toBeTypeOf('boolean');
      }
      for (const l of [
        'maxStorageBufferBindingSize',
        'maxBufferSize',
        'maxComputeWorkgroupStorageSize',
        'maxComputeInvocationsPerWorkgroup',
        'maxComputeWorkgroupsPerDimension',
        'minStorageBufferOffsetAlignment',
      ]) {
        expect(report.limits[l], l).toBeGreaterThan(0);
      }
      expect(Array.isArray(report.adapterFeatures)).toBe(true);
    }
    expect(ss.limits.maxComputeInvocationsPerWorkgroup).toBe(256);
  });

  it('doctor reports a missing adapter by its ICD file and still lists the other', () => {
    const r = spawnSync(process.execPath, [join(repo, 'bin/kestrel.mjs'), 'doctor', '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, KESTREL_SWIFTSHADER_ICD: '/nonexistent/vk_swiftshader_icd.json' },
    });
    expect(r.status, r.stderr).toBe(0);
    const [lvp, ss] = JSON.parse(r.stdout) as DoctorReport[];
    expect(lvp.adapter.description).toMatch(/^llvmpipe/);
    expect(ss).toEqual({
      kind: 'swiftshader',
      error: expect.stringContaining('no Vulkan ICD file at /nonexistent/vk_swiftshader_icd.json') as unknown,
    });
  });

  it('doctor --adapter with an unknown name is a usage error', () => {
    const r = kestrel('doctor', '--adapter', 'metal');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown adapter 'metal'");
  });

  it('doctor prints one column per adapter', () => {
    const r = kestrel('doctor');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^adapter +lavapipe +swiftshader$/m);
    expect(r.stdout).toMatch(/^ {2}vendor +mesa +google$/m);
    expect(r.stdout).toMatch(/^ {2}shader-f16 +yes +no$/m);
    expect(r.stdout).toMatch(/^ {2}maxStorageBufferBindingSize +[\d,]+ +[\d,]+/m);
  });
});
