// Types for scripts/api-docs.mjs, for the test that imports it.
export function exportsOf(file: string): Map<string, { name: string; kind: string; docs: string; decl: string }>;
export function apiMarkdown(): string;
