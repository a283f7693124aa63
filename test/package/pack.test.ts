// Kestrel as a web developer gets it: `npm pack`, the tarball installed offline into a new project, a strict
// TypeScript consumer type-checked against the shipped .d.ts and run on the GPU (no-eval mode) against a CPU reference,
// with host IO and with GPU IO (a GPUBuffer feed, outputLocation 'gpu', download()) giving bit-identical outputs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTypes } from '../../scripts/build.mjs';
import { graph, io, node, tensor } from '../onnx-builder.js';

const repo = join(import.meta.dirname, '..', '..');
const W = [0.5, -1, 2, 0.25, 1.5, -0.75, -2, 0.125, 1, 3, -0.5, 0.5]; // [4, 3]
const B = [0.1, -0.2, 0.3];
const X = [1, -2, 0.5, 4];

/** y = Relu(x @ W + b), computed on the host. */
function reference(): number[] {
  return [0, 1, 2].map((j) =>
    Math.max(
      0,
      X.reduce((s, x, k) => s + x * W[k * 3 + j], B[j]),
    ),
  );
}

/** `npm pack --json`'s output (the field used here). */
type Packed = { filename: string }[];

const CONSUMER = `
import {
  InputError,
  KestrelError,
  MissingDependencyError,
  Session,
  createGpuContext,
  loadModel,
  type GpuContext,
  type GpuFeed,
  type GpuTensor,
  type HostTensor,
  type SessionOptions,
} from 'kestrel-webgpu';


const model = await loadModel('model.onnx');
const options: SessionOptions = { limits: { maxNodes: 100 } };
const session = await Session.create(model, options);
const out: Record<string, HostTensor> = await session.run({ x: { data: new Float32Array(${JSON.stringify(X)}), shape: [1, 4] } });
let refused = '';
try {
  await session.run({ x: { data: new Float32Array(3), shape: [1, 3] } });
} catch (e) {
  if (e instanceof InputError && e instanceof KestrelError) refused = e.code;
}
const missing: MissingDependencyError | null = null;
session.release();

// GPU-resident IO on the app's own context: a GPUBuffer feed in, the output left on the GPU until download()
const ctx: GpuContext = await createGpuContext();
const gpuSession = await Session.create(model, { context: ctx });
const x = new Float32Array(${JSON.stringify(X)});
const buffer: GPUBuffer = ctx.device.createBuffer({ size: x.byteLength, usage: 0x80 | 0x4 | 0x8 });
ctx.device.queue.writeBuffer(buffer, 0, x);
const feed: GpuFeed = { dtype: 'f32', shape: [1, 4], buffer };
const onGpu: Record<string, GpuTensor> = await gpuSession.run({ x: feed }, { outputLocation: 'gpu' });
const downloaded: HostTensor = await onGpu.y.download();
const viaHost: Record<string, HostTensor> = await gpuSession.run({ x: { data: x, shape: [1, 4] } });
const bits = (t: HostTensor) => Array.from(new Uint32Array((t.data as Float32Array).slice().buffer));
gpuSession.release();
buffer.destroy();
ctx.destroy();
console.log(
  JSON.stringify({
    y: Array.from(out.y.data as Float32Array),
    shape: out.y.shape,
    refused,
    missing,
    gpuShape: onGpu.y.shape,
    gpuBits: bits(downloaded),
    hostBits: bits(viaHost.y),
    firstHostBits: bits(out.y),
  }),
);
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noImplicitAny: true,
    skipLibCheck: false,
    // our .d.ts and @webgpu/types are checked; TypeScript's own lib files need not be
    skipDefaultLibCheck: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022', 'DOM'],
    types: [],
    outDir: 'out',
  },
  files: ['consumer.ts'],
};

let tmp: string;
let project: string;
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8' });
const node_ = (args: string[]) =>
  spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  // `npm ci` / `npm run build` make dist/ (bundles and types); types are slow, so only build them when absent
  if (!existsSync(join(repo, 'dist', 'kestrel.d.ts'))) await buildTypes();
  tmp = mkdtempSync(join(tmpdir(), 'kestrel-pack-'));
  project = join(tmp, 'app');
  mkdirSync(project);
  const packed = JSON.parse(
    run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], repo),
  ) as Packed;
  const tarball = join(tmp, packed[0].filename);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // offline: the one dependency is packed from the repo's node_modules (a lockfile install caches tarballs, not the
  // registry metadata a range needs); no optional peers come with it
  const types = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', tmp, join(repo, 'node_modules', '@webgpu', 'types')], repo),
  ) as Packed;
  const typesTarball = join(tmp, types[0].filename);
  run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball, typesTarball], project);
  writeFileSync(join(project, 'model.onnx'), modelBytes());
  writeFileSync(join(project, 'consumer.ts'), CONSUMER);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function modelBytes(): Uint8Array {
  return graph(
    [node('MatMul', ['x', 'w'], ['m']), node('Add', ['m', 'b'], ['a']), node('Relu', ['a'], ['y'])],
    [io('x', [1, 4])],
    [io('y', [1, 3])],
    [tensor('w', [4, 3], W), tensor('b', [3], B)],
  );
}

describe('the npm package, installed into a new project', () => {
  it('ships the bundles, types, license and notices, and depends on nothing heavy', () => {
    const root = join(project, 'node_modules', 'kestrel-webgpu');
    for (const f of [
      'LICENSE',
      'CHANGELOG.md',
      'dist/THIRD_PARTY_NOTICES.md',
      'dist/kestrel.d.ts',
      'dist/demo.d.ts',
      'dist/demo.browser.d.ts',
      'dist/kestrel.node.mjs',
      'dist/kestrel.browser.mjs',
      'dist/demo.node.mjs',
      'dist/demo.browser.mjs',
      'dist/cli.mjs',
    ])
      expect(existsSync(join(root, f)), f).toBe(true);
    expect(existsSync(join(root, 'src'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependenciesMeta: unknown;
    };
    expect(Object.keys(pkg.dependencies)).toEqual(['@webgpu/types']);
    expect(pkg.peerDependenciesMeta).toEqual({ 'onnxruntime-node': { optional: true }, webgpu: { optional: true } });
    for (const heavy of ['webgpu', 'onnxruntime-node', 'protobufjs', 'pngjs', 'jpeg-js'])
      expect(existsSync(join(project, 'node_modules', heavy)), heavy).toBe(false);
    expect(readFileSync(join(root, 'dist', 'kestrel.d.ts'), 'utf8')).toContain(
      '/// <reference types="@webgpu/types" />',
    );
    expect(readFileSync(join(root, 'dist', 'THIRD_PARTY_NOTICES.md'), 'utf8')).toMatch(
      /## pngjs .*\n[\s\S]*## jpeg-js|## jpeg-js[\s\S]*## pngjs/,
    );
  });

  it('without the webgpu peer, Node gets MissingDependencyError naming it', () => {
    const r = node_([
      '--input-type=module',
      '-e',
      "import { createGpuContext, MissingDependencyError } from 'kestrel-webgpu'; try { await createGpuContext(); } catch (e) { console.log(JSON.stringify({ typed: e instanceof MissingDependencyError, dep: e.dependency, code: e.code })); }",
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ typed: true, dep: 'webgpu', code: 'MISSING_DEPENDENCY' });
  });

  it('the demo entry shares the main entry (one KestrelError) and names a missing onnxruntime-node', () => {
    const r = node_([
      '--input-type=module',
      '-e',
      "import * as k from 'kestrel-webgpu'; import * as demo from 'kestrel-webgpu/demo'; try { await demo.OnnxruntimeEngine.create({ det: new Uint8Array(1), rec: new Uint8Array(1) }); } catch (e) { console.log(JSON.stringify({ ocr: typeof demo.OcrPipeline, inMain: 'OcrPipeline' in k, typed: e instanceof k.MissingDependencyError, dep: e.dependency })); }",
    ]);
    expect(JSON.parse(r.stdout)).toEqual({ ocr: 'function', inMain: false, typed: true, dep: 'onnxruntime-node' });
  });

  it('a browser bundler resolves the browser build', async () => {
    const out = await esbuild.build({
      stdin: { contents: "export { Session } from 'kestrel-webgpu';", resolveDir: project, loader: 'ts' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      external: ['webgpu'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.some((p) => p.endsWith('node_modules/kestrel-webgpu/dist/kestrel.browser.mjs'))).toBe(true);
    expect(inputs.some((p) => p.endsWith('kestrel.node.mjs'))).toBe(false);
  });

  it('a strict TypeScript consumer type-checks and, with webgpu, runs on the GPU without eval', () => {
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const typed = spawnSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
    expect(typed.stdout + typed.stderr).toBe('');
    symlinkSync(join(repo, 'node_modules', 'webgpu'), join(project, 'node_modules', 'webgpu'), 'dir');
    const r = node_(['--disallow-code-generation-from-strings', join('out', 'consumer.js')]);
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      shape: number[];
      refused: string;
      y: number[];
      gpuShape: number[];
      gpuBits: number[];
      hostBits: number[];
      firstHostBits: number[];
    };
    expect(got.shape).toEqual([1, 3]);
    expect(got.refused).toBe('INPUT');
    const want = reference();
    expect(want.some((v) => v > 0)).toBe(true);
    got.y.forEach((v: number, i: number) => expect(v).toBeCloseTo(want[i], 5));
    // GPUBuffer feed + outputLocation 'gpu' + download(): bit-identical to host IO (on its own and the default context)
    expect(got.gpuShape).toEqual([1, 3]);
    expect(got.gpuBits).toHaveLength(3);
    expect(got.gpuBits).toEqual(got.hostBits);
    expect(got.gpuBits).toEqual(got.firstHostBits);
  });
});
