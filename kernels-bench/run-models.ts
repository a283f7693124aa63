// Whole students, Kestrel against ONNX Runtime Web (and, for compare-models, onnxruntime-node): warm
// wall-clock per inference from interleaved runs A B A B after a warm-up run each.
import { median } from '../src/core/stats.js';
import { type EngineName, type LoadedModel, STUDENTS, type Student, loadStudent } from './models.js';

export interface EngineTiming {
  engine: EngineName;
  ms: number | null;
  runs: number[];
  /** In-process first load (session create + first run); the cold-start child measures fresh processes. */
  firstLoadMs: number | null;
  error?: string;
  model?: LoadedModel;
}

const short = (e: unknown) => ((e as Error)?.message ?? String(e)).split('\n')[0];

/** Loads each engine (a failure is reported, not thrown), then runs them round-robin `pairs` times. */
export async function interleaved(
  student: Student,
  engines: EngineName[],
  pairs: number,
  log: (s: string) => void,
  keep = false,
): Promise<EngineTiming[]> {
  const out: EngineTiming[] = [];
  for (const engine of engines) {
    try {
      const t0 = performance.now();
      const model = await loadStudent(engine, student);
      const first = performance.now() - t0;
      await model.run();
      out.push({ engine, ms: null, runs: [], firstLoadMs: first, model });
      log(`  ${STUDENTS[student].label} ${engine}: loaded + first run ${first.toFixed(0)} ms`);
    } catch (e) {
      out.push({ engine, ms: null, runs: [], firstLoadMs: null, error: short(e) });
      log(`  ${STUDENTS[student].label} ${engine}: ${short(e)}`);
    }
  }
  for (let i = 0; i < pairs; i++) {
    for (const t of out) {
      if (!t.model || t.error) continue;
      try {
        t.runs.push(await t.model.run());
      } catch (e) {
        t.error = short(e);
      }
    }
  }
  for (const t of out) {
    if (t.runs.length) t.ms = median(t.runs);
    if (!keep) {
      await t.model?.release();
      delete t.model;
    }
    if (t.ms !== null)
      log(`  ${STUDENTS[student].label} ${t.engine}: median ${t.ms.toFixed(1)} ms over ${t.runs.length}`);
  }
  return out;
}
