// Cases of supported ops that Kestrel does not pass, each with the reason. Kept short and honest:
// every entry is a known limitation, shown in docs/CONFORMANCE.md.
export const EXCLUSIONS: Record<string, string> = {};
