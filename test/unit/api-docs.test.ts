// docs/API.md is generated from the shipped declarations (scripts/api-docs.mjs): it must match them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiMarkdown, exportsOf } from '../../scripts/api-docs.mjs';

const repo = join(import.meta.dirname, '..', '..');

describe('docs/API.md', () => {
  it('documents every export of dist/kestrel.d.ts and is up to date', () => {
    const md = readFileSync(join(repo, 'docs', 'API.md'), 'utf8');
    const names = [...exportsOf('dist/kestrel.d.ts').keys()];
    for (const n of ['Session', 'loadModel', 'createGpuContext', 'KestrelError', 'MissingDependencyError'])
      expect(names).toContain(n);
    for (const n of names) expect(md, n).toContain(`\`${n}\``);
    expect(md, 'regenerate: npm run build && node scripts/api-docs.mjs').toBe(apiMarkdown());
  });
});
