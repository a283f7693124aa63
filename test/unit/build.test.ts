// The esbuild bundles (scripts/build.mjs) and the built CLI: shaders inlined, no Node modules in the browser
// bundle, and `kestrel doctor --json` reporting a real adapter.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAll, collectShaders, inlineShadersPlugin, noNodeBuiltinsPlugin } from '../../scripts/build.mjs';
import { shaderTable } from '../../src/shaders/table.js';

const repo = join(import.meta.dirname, '..', '..');
const dist = (f: string) => join(repo, 'dist', f);

beforeAll(async () => {
  await buildAll();
}, 60_000);

describe('bundles', () => {
  it('writes the node, browser and CLI bundles', () => {
    for (const f of ['kestrel.node.mjs', 'kestrel.browser.mjs', 'cli.mjs']) {
      expect(existsSync(dist(f)), f).toBe(true);
      expect(readFileSync(dist(f), 'utf8').length).toBeGreaterThan(1000);
    }
  });

  it('keeps Node modules out of the browser bundle', () => {
    const code = readFileSync(dist('kestrel.browser.mjs'), 'utf8');
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/\brequire\(\s*["']/);
    // protobufjs carries a guarded util.fs.readFileSync that its "browser" field maps to nothing: not a Node import
  });

  it('never reads shaders/ from disk in any bundle', () => {
    for (const f of ['kestrel.node.mjs', 'kestrel.browser.mjs', 'cli.mjs']) {
      // shaders/table.ts reads this folder from disk; the bundles must carry the inlined table instead
      expect(readFileSync(dist(f), 'utf8'), f).not.toContain("'../../shaders/'");
    }
  });

  it('the node bundle loads and exports the public API', async () => {
    const mod = await import(dist('kestrel.node.mjs'));
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
    const bundled = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
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

  it('doctor --json reports the adapter, boolean feature flags and limits', () => {
    const r = kestrel('doctor', '--json');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.adapter.description).toBeTypeOf('string');
    expect(report.adapter.description.length).toBeGreaterThan(0);
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
  });

  it('doctor prints a readable report', () => {
    const r = kestrel('doctor');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^adapter\n {2}vendor/);
    expect(r.stdout).toMatch(/^ {2}shader-f16 +(yes|no)$/m);
    expect(r.stdout).toMatch(/^ {2}maxStorageBufferBindingSize +[\d,]+/m);
  });
});
