#!/usr/bin/env node
// Runs the bundled CLI (dist/cli.mjs, built by `npm run build`, which `npm install` runs via `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('kestrel: dist/cli.mjs is missing; run npm run build');
  process.exit(2);
}
const { main } = await import(cli);
const code = await main(process.argv.slice(2));
// Exit explicitly: a live Dawn instance can keep the event loop (or its teardown) busy after the work is done.
process.exit(code);
