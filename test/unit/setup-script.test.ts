// scripts/setup-webgpu.sh: its decisions, with dpkg-query, id and apt-get replaced by stubs on PATH.
// No case here may reach a real apt-get: the stub records any call and the tests assert there was none.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
let dir: string;
let isolated: string;
let fakeBin: string;
let icdDir: string;
let aptLog: string;

function stub(name: string, body: string) {
  const p = join(fakeBin, name);
  writeFileSync(p, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(p, 0o755);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-setup-'));
  // A copy of the script with no node_modules next to it, so it cannot probe Dawn and must read dpkg.
  isolated = join(dir, 'repo');
  mkdirSync(join(isolated, 'scripts'), { recursive: true });
  copyFileSync(join(repo, 'scripts/setup-webgpu.sh'), join(isolated, 'scripts/setup-webgpu.sh'));
  fakeBin = join(dir, 'bin');
  mkdirSync(fakeBin);
  icdDir = join(dir, 'icd.d');
  mkdirSync(icdDir);
  writeFileSync(join(icdDir, 'lvp_icd.json'), '{}');
  aptLog = join(dir, 'apt.log');
  // dpkg-query -W -f=FORMAT PKG: versions come from FAKE_MESA (mesa-vulkan-drivers) and "1.3.239.0-1" (libvulkan1).
  stub(
    'dpkg-query',
    [
      'fmt=""; pkg=""',
      'for a in "$@"; do case "$a" in -f=*) fmt=${a#-f=} ;; -*) ;; *) pkg=$a ;; esac; done',
      'case "$pkg" in mesa-vulkan-drivers) v=${FAKE_MESA:-} ;; libvulkan1) v=1.3.239.0-1 ;; *) v="" ;; esac',
      '[ -z "$v" ] && exit 1',
      'case "$fmt" in *Version*) printf %s "$v" ;; *Status*) printf installed ;; esac',
    ].join('\n'),
  );
  stub('id', 'echo "${FAKE_UID:-0}"');
  stub('apt-get', `echo "$*" >> '${aptLog}'; exit 1`);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runSetup(args: string[], env: Record<string, string>, cwdRepo = isolated) {
  const r = spawnSync('bash', [join(cwdRepo, 'scripts/setup-webgpu.sh'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, KESTREL_VULKAN_ICD_DIR: icdDir, ...env },
    timeout: 150_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('setup-webgpu.sh without node_modules (reads dpkg)', () => {
  it('accepts Mesa >= 23 with the lavapipe ICD and installs nothing', () => {
    const r = runSetup([], { FAKE_MESA: '25.0.7-2~bpo12+1' });
    expect(r.out).toContain('Mesa 25.0.7-2~bpo12+1 with lavapipe is installed');
    expect(r.code).toBe(0);
    expect(existsSync(aptLog)).toBe(false);
  });

  it('rejects bookworm Mesa 22 and prints the backports steps under --check', () => {
    const r = runSetup(['--check'], { FAKE_MESA: '22.3.6-1+deb12u1' });
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      "echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/kestrel-backports.list",
    );
    expect(r.out).toContain('apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1');
    expect(existsSync(aptLog)).toBe(false);
  });

  it('handles a Debian epoch in the version', () => {
    expect(runSetup(['--check'], { FAKE_MESA: '1:24.2.8-1' }).code).toBe(0);
    expect(runSetup(['--check'], { FAKE_MESA: '1:22.3.6-1' }).code).toBe(1);
  });

  it('needs the lavapipe ICD file as well as the package', () => {
    const r = runSetup(['--check'], {
      FAKE_MESA: '25.0.7-2~bpo12+1',
      KESTREL_VULKAN_ICD_DIR: join(dir, 'no-such-dir'),
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain('missing: a WebGPU adapter');
  });

  it('prints manual steps and exits 1 when not root, without calling apt-get', () => {
    const r = runSetup([], { FAKE_MESA: '', FAKE_UID: '1000' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('cannot install: not root');
    expect(r.out).toContain('mesa-vulkan-drivers libvulkan1');
    expect(existsSync(aptLog)).toBe(false);
  });

  it('rejects an unknown flag with exit 2', () => {
    const r = runSetup(['--with-everything'], { FAKE_MESA: '25.0.7-2~bpo12+1' });
    expect(r.code).toBe(2);
    expect(r.out).toContain('unknown flag --with-everything');
  });
});

describe('setup-webgpu.sh --with-swiftshader without node_modules', () => {
  const swiftshader = (withLib: boolean) => {
    const d = mkdtempSync(join(dir, 'chromium-'));
    writeFileSync(join(d, 'vk_swiftshader_icd.json'), '{}');
    if (withLib) writeFileSync(join(d, 'libvk_swiftshader.so'), '');
    return join(d, 'vk_swiftshader_icd.json');
  };
  const mesa = { FAKE_MESA: '25.0.7-2~bpo12+1' };

  it('accepts the ICD file with its library next to it and installs nothing', () => {
    const icd = swiftshader(true);
    const r = runSetup(['--with-swiftshader', '--check'], { ...mesa, KESTREL_SWIFTSHADER_ICD: icd });
    expect(r.out).toContain(`SwiftShader present: ${icd}`);
    expect(r.code).toBe(0);
    expect(existsSync(aptLog)).toBe(false);
  });

  it('--check names the missing driver and the chromium package, without calling apt-get', () => {
    for (const icd of [join(dir, 'no-chromium/vk_swiftshader_icd.json'), swiftshader(false)]) {
      const r = runSetup(['--with-swiftshader', '--check'], { ...mesa, KESTREL_SWIFTSHADER_ICD: icd });
      expect(r.code).toBe(1);
      expect(r.out).toContain(`missing: SwiftShader (no working Vulkan ICD at ${icd})`);
      expect(r.out).toContain('apt-get install -y chromium');
    }
    expect(existsSync(aptLog)).toBe(false);
  });

  it('asks for chromium once when --with-chromium is given too', () => {
    const icd = join(dir, 'none/vk_swiftshader_icd.json');
    const r = runSetup(['--with-swiftshader', '--with-chromium', '--check'], {
      ...mesa,
      KESTREL_SWIFTSHADER_ICD: icd,
      KESTREL_CHROMIUM_BIN: join(dir, 'none/chromium'),
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/apt-get install -y chromium$/m);
  });

  it('is not required without the flag', () => {
    const r = runSetup(['--check'], { ...mesa, KESTREL_SWIFTSHADER_ICD: join(dir, 'none/icd.json') });
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('SwiftShader');
  });
});

describe('setup-webgpu.sh in this checkout (probes Dawn)', () => {
  it('--with-swiftshader finds SwiftShader through Dawn', () => {
    const r = runSetup(['--with-swiftshader', '--check'], { FAKE_MESA: '' }, repo);
    expect(r.out).toContain('SwiftShader present: /usr/lib/chromium/vk_swiftshader_icd.json');
    expect(r.code).toBe(0);
  });

  it('finds the adapter and changes nothing (idempotent)', () => {
    for (let i = 0; i < 2; i++) {
      const r = runSetup(['--check'], { FAKE_MESA: '' }, repo);
      expect(r.out).toMatch(/WebGPU adapter present: \S/);
      expect(r.code).toBe(0);
    }
    expect(existsSync(aptLog) ? readFileSync(aptLog, 'utf8') : '').toBe('');
  });
});
