// Debian's headless Chromium for the browser benches (WebGPU on SwiftShader there), and how much memory it holds.
import { readFileSync, readdirSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** pid -> parent pid for every process we may read (others vanish or deny mid-scan). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // the command name (field 2) may hold spaces and parentheses: the parent pid follows its last ')'
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      out.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      continue;
    }
  }
  return out;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Proportional set size (MB) of the Chromium started with --user-data-dir=`profile` and all its descendants (GPU
 * process, renderers, zygotes): PSS, so shared pages are not counted once per process. 0 when none runs (not Linux).
 */
export function chromiumPssMb(profile: string): number {
  let map: Map<number, number>;
  try {
    map = parents();
  } catch {
    return 0;
  }
  const tree = new Set<number>();
  for (const pid of map.keys())
    if (readOr(`/proc/${pid}/cmdline`).split('\0').includes(`--user-data-dir=${profile}`)) tree.add(pid);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of map)
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
  }
  let kb = 0;
  for (const pid of tree) kb += Number(/^Pss:\s+(\d+)/m.exec(readOr(`/proc/${pid}/smaps_rollup`))?.[1] ?? 0);
  return kb / 1024;
}
