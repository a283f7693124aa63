#!/usr/bin/env node
// Runs the bundled CLI (dist/cli.mjs, built by `npm run build`, which `npm install` runs via `prepare`).
// Dawn prints adapter-enumeration warnings straight to file descriptor 2 from native code, whatever limits are
// requested ("maxDynamic...PerPipelineLayout artificially reduced"), so the CLI runs as a child whose stderr is
// filtered line by line here.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('kestrel: dist/cli.mjs is missing; run npm run build');
  process.exit(2);
}

const NOISE = /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced .*\n/;
const NOISE_PREFIX = 'Warning: maxDynamic';

if (process.env.KESTREL_STDERR_FILTERED !== '1') {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: ['inherit', 'inherit', 'pipe'],
      env: { ...process.env, KESTREL_STDERR_FILTERED: '1', KESTREL_STDERR_TTY: process.stderr.isTTY ? '1' : '0' },
    },
  );
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    pending += chunk;
    let out = '';
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl + 1);
      pending = pending.slice(nl + 1);
      if (!NOISE.test(line)) out += line;
    }
    // a partial line that cannot become a Dawn warning (a \r progress bar) goes out now
    const maybeNoise = pending.startsWith(NOISE_PREFIX) || NOISE_PREFIX.startsWith(pending);
    if (pending && !maybeNoise) {
      out += pending;
      pending = '';
    }
    if (out) process.stderr.write(out);
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('close', (code, signal) => {
    if (pending) process.stderr.write(pending);
    process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1));
  });
} else {
  const { main } = await import(cli);
  const code = await main(process.argv.slice(2));
  // Exit explicitly: a live Dawn instance can keep the event loop (or its teardown) busy after the work is done.
  process.exit(code);
}
