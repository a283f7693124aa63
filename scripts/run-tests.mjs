// `npm test`'s runs: every test on the default adapter, then the kernel suite on SwiftShader; both always run,
// and the exit status is non-zero if either failed. Extra arguments go to both vitest runs.
import { spawnSync } from 'node:child_process';

const RUNS = [
  { name: 'default adapter', args: ['vitest', 'run'] },
  { name: 'SwiftShader', args: ['vitest', 'run', '-c', 'vitest.swiftshader.config.ts'] },
];
let failed = 0;
for (const run of RUNS) {
  console.log(`run-tests: ${run.name}: npx ${run.args.join(' ')}`);
  const r = spawnSync('npx', [...run.args, ...process.argv.slice(2)], { stdio: 'inherit' });
  const code = r.status ?? 1;
  console.log(`run-tests: ${run.name}: exit ${code}`);
  if (code !== 0) failed = code;
}
process.exit(failed);
