// KESTREL_ADAPTER / createGpuContext({ driver }): the Vulkan driver Dawn uses in Node, checked by the adapter it
// returns; a missing driver or an unknown name is a typed error. Needs both drivers: missing ones fail here.
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterNotInstalledError, KestrelError, NoAdapterError } from '../../src/core/errors.js';
import { resolveAdapterKind } from '../../src/runtime/adapter-choice.js';
import { createGpuContext } from '../../src/runtime/device.js';

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['KESTREL_ADAPTER', 'KESTREL_VULKAN_ICD_DIR', 'KESTREL_SWIFTSHADER_ICD']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('adapter choice', () => {
  it('reads KESTREL_ADAPTER, lets the option win, and rejects unknown names', () => {
    process.env.KESTREL_ADAPTER = 'swiftshader';
    expect(resolveAdapterKind()).toBe('swiftshader');
    expect(resolveAdapterKind('lavapipe')).toBe('lavapipe');
    delete process.env.KESTREL_ADAPTER;
    expect(resolveAdapterKind()).toBeNull();
    process.env.KESTREL_ADAPTER = 'metal';
    expect(() => resolveAdapterKind()).toThrow(
      /KESTREL_ADAPTER: unknown adapter 'metal' \(expected one of: lavapipe, swiftshader\)/,
    );
    expect(() => resolveAdapterKind('vulkan')).toThrow(KestrelError);
  });

  it('swiftshader gives Google SwiftShader without shader-f16, lavapipe gives llvmpipe with it, in one process', async () => {
    const ss = await createGpuContext({ driver: 'swiftshader' });
    const lvp = await createGpuContext({ driver: 'lavapipe' });
    try {
      expect(ss.info.description).toMatch(/SwiftShader/);
      expect(ss.info.vendor).toBe('google');
      expect(ss.features.shaderF16).toBe(false);
      expect(ss.features.subgroups).toBe(true);
      expect(lvp.info.description).toMatch(/llvmpipe/);
      expect(lvp.features.shaderF16).toBe(true);
    } finally {
      ss.destroy();
      lvp.destroy();
    }
  });

  it('KESTREL_ADAPTER=swiftshader reaches createGpuContext()', async () => {
    process.env.KESTREL_ADAPTER = 'swiftshader';
    const ctx = await createGpuContext();
    ctx.destroy();
    expect(ctx.info.description).toMatch(/SwiftShader/);
  });

  it('a driver that is not installed is an AdapterNotInstalledError naming its ICD file', async () => {
    process.env.KESTREL_SWIFTSHADER_ICD = '/nonexistent/vk_swiftshader_icd.json';
    const e = await createGpuContext({ driver: 'swiftshader' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AdapterNotInstalledError);
    expect(e).toBeInstanceOf(NoAdapterError);
    expect((e as AdapterNotInstalledError).icdFile).toBe('/nonexistent/vk_swiftshader_icd.json');
    expect((e as Error).message).toContain('--with-swiftshader');
    process.env.KESTREL_VULKAN_ICD_DIR = '/nonexistent-icd.d';
    await expect(createGpuContext({ driver: 'lavapipe' })).rejects.toThrow(
      /adapter 'lavapipe' is not installed: no Vulkan ICD file at \/nonexistent-icd.d\/lvp_icd\*\.json/,
    );
  });
});
