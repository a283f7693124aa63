// `kestrel doctor` without --adapter: probes each known adapter in its own child process (`doctor --json
// --adapter K`), so a driver that crashes or is missing cannot take the others down.
import { spawn } from 'node:child_process';
import { ADAPTER_KINDS, type AdapterKind } from '../runtime/adapter-choice.js';
import type { DoctorReport } from './doctor.js';

/** One adapter's doctor report, or why it could not be reached. */
export type AdapterProbe =
  ({ kind: AdapterKind; error?: undefined } & DoctorReport) | { kind: AdapterKind; error: string };

const PROBE_TIMEOUT_MS = 120_000;

function probeOne(kind: AdapterKind): Promise<AdapterProbe> {
  // The same entry point (bin/kestrel.mjs, or tsx running src/cli) with the same Node flags.
  const argv = [...process.execArgv, process.argv[1], 'doctor', '--json', '--adapter', kind];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, {
      env: { ...process.env, KESTREL_ADAPTER: kind },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: PROBE_TIMEOUT_MS,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => resolve({ kind, error: e.message }));
    child.on('close', (code, signal) => {
      // The child prints its one-entry array even when its adapter is missing (exit 1).
      try {
        const [probe] = JSON.parse(out) as AdapterProbe[];
        resolve(probe.error === undefined ? { ...probe, kind } : { kind, error: probe.error });
        return;
      } catch {
        // no report: a crash or a usage error; fall through to its stderr
      }
      const why = err.split('\n').find((l) => l.startsWith('error: '));
      resolve({ kind, error: why ? why.slice('error: '.length) : `exit ${code ?? signal}: ${err.trim().slice(-300)}` });
    });
  });
}

/** One probe per adapter kind, one after another (each child loads a driver; two cores are shared). */
export async function probeAllAdapters(): Promise<AdapterProbe[]> {
  const out: AdapterProbe[] = [];
  for (const kind of ADAPTER_KINDS) out.push(await probeOne(kind));
  return out;
}
