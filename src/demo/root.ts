// The repository (or installed package) root, found from this module whether it runs from src/ or a dist/ bundle.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function findRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'kestrel.mjs'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the kestrel package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
