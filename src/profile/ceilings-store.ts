// Ceilings cached per adapter at <results>/<adapter-slug>/ceilings.json (Node only).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ceilings } from './ceilings.js';

export const RESULTS_DIR = 'results';

export function ceilingsPath(slug: string, dir = RESULTS_DIR): string {
  return join(dir, slug, 'ceilings.json');
}

export function loadCeilings(slug: string, dir = RESULTS_DIR): Ceilings | null {
  const p = ceilingsPath(slug, dir);
  if (!existsSync(p)) return null;
  try {
    const c = JSON.parse(readFileSync(p, 'utf8')) as Ceilings;
    return c.slug === slug && c.f32Gflops > 0 && c.copyGBs > 0 ? c : null;
  } catch {
    return null;
  }
}

export function saveCeilings(c: Ceilings, dir = RESULTS_DIR): string {
  const p = ceilingsPath(c.slug, dir);
  mkdirSync(join(dir, c.slug), { recursive: true });
  writeFileSync(p, `${JSON.stringify(c, null, 2)}\n`);
  return p;
}
