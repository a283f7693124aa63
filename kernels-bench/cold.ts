// Cold start measured in a fresh process: with the driver's on-disk shader cache off (the true compile
// cost) and with it warm. The child is kernels-bench/cold-child.ts.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ColdStart, EngineName, Student } from './models.js';

export interface ColdResult extends Partial<ColdStart> {
  engine: EngineName;
  student: Student;
  cache: 'off' | 'warm';
  ok: boolean;
  error?: string;
}

const CHILD = fileURLToPath(new URL('./cold-child.ts', import.meta.url));

export function coldStart(
  engine: EngineName,
  student: Student,
  cache: 'off' | 'warm',
  timeoutMs = 180_000,
): Promise<ColdResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (cache === 'off') env.MESA_SHADER_CACHE_DISABLE = 'true';
  else delete env.MESA_SHADER_CACHE_DISABLE;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, engine, student], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('COLD '));
      if (!line) {
        resolve({
          engine,
          student,
          cache,
          ok: false,
          error: `child exited ${code}: ${
            err
              .split('\n')
              .filter((l) => l && !l.startsWith('Warning'))
              .slice(-1)[0] ?? ''
          }`,
        });
        return;
      }
      resolve({
        engine,
        student,
        cache,
        ...(JSON.parse(line.slice(5)) as Partial<ColdStart> & { ok: boolean; error?: string }),
      });
    });
  });
}

/**
 * Cache off, then cache warm. `filled`: this process already ran the model with the cache on, so the
 * driver cache holds its shaders; otherwise an untimed child run fills it first.
 */
export async function coldStartBoth(
  engine: EngineName,
  student: Student,
  opts: { skipOff?: boolean; filled?: boolean } = {},
): Promise<ColdResult[]> {
  const out: ColdResult[] = [];
  if (!opts.skipOff) out.push(await coldStart(engine, student, 'off'));
  if (!opts.filled) await coldStart(engine, student, 'warm');
  out.push(await coldStart(engine, student, 'warm'));
  return out;
}
