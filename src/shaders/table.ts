// The .wgsl sources, keyed by path under shaders/. In Node (tests, CLI from source) they are read from
// disk; the esbuild bundles replace this module with one that inlines every file (scripts/build.mjs).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

let table: Record<string, string> | null = null;

export function shaderTable(): Record<string, string> {
  if (table) return table;
  const root = fileURLToPath(new URL('../../shaders/', import.meta.url));
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.wgsl')) out[relative(root, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  table = out;
  return out;
}
