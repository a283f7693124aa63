// `--adapters lavapipe,swiftshader` (bench) and `--adapter` (compare): one child process per adapter, each with
// KESTREL_ADAPTER set, since the Vulkan driver is chosen when the process's Dawn instance is created.
import { spawn } from 'node:child_process';
import { ADAPTER_KINDS, type AdapterKind, isAdapterKind } from '../src/runtime/adapter-choice.js';

export function parseAdapterList(flag: string, text: string): AdapterKind[] {
  const list = text.split(',').map((s) => s.trim());
  for (const a of list) {
    if (!isAdapterKind(a)) throw new Error(`${flag}: unknown adapter '${a}' (expected: ${ADAPTER_KINDS.join(', ')})`);
  }
  if (new Set(list).size !== list.length) throw new Error(`${flag}: an adapter is named twice in '${text}'`);
  return list as AdapterKind[];
}

/** Removes `--name VALUE` / `--name=VALUE` from argv. */
export function withoutFlag(argv: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) i++;
    else if (!argv[i].startsWith(`--${name}=`)) out.push(argv[i]);
  }
  return out;
}

/** Runs this same script in a child with KESTREL_ADAPTER=kind; its stderr streams through, its stdout is returned. */
export function runForAdapter(
  kind: AdapterKind,
  argv: string[],
): Promise<{ kind: AdapterKind; code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
      env: { ...process.env, KESTREL_ADAPTER: kind },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', (e) => resolve({ kind, code: 1, stdout: `${kind}: ${e.message}` }));
    child.on('close', (code) => resolve({ kind, code: code ?? 1, stdout }));
  });
}
