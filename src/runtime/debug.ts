// KESTREL_DEBUG=shaders,timings switches diagnostics on (Node env or globalThis.KESTREL_DEBUG in a browser).
let flags: Set<string> | null = null;
export function debugEnabled(flag: string): boolean {
  if (!flags) {
    const g = globalThis as { process?: { env?: Record<string, string | undefined> }; KESTREL_DEBUG?: string };
    const raw = g.process?.env?.KESTREL_DEBUG ?? g.KESTREL_DEBUG ?? '';
    flags = new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  return flags.has(flag) || flags.has('all');
}
