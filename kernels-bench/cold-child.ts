// Child process for cold-start figures (so MESA_SHADER_CACHE_DISABLE applies to a fresh driver):
//   node --import tsx kernels-bench/cold-child.ts ENGINE STUDENT  → one line `COLD {json}` on stdout.
import { type EngineName, type Student, loadStudent } from './models.js';

const [engine, student] = process.argv.slice(2) as [EngineName, Student];
try {
  const m = await loadStudent(engine, student);
  process.stdout.write(`COLD ${JSON.stringify({ ok: true, ...m.cold })}\n`);
  await m.release();
} catch (e) {
  process.stdout.write(`COLD ${JSON.stringify({ ok: false, error: (e as Error).message.split('\n')[0] })}\n`);
}
process.exit(0);
