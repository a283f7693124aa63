// Types for scripts/build.mjs, for the tests that import it.
import type { Plugin } from 'esbuild';
export function collectShaders(dir?: string): Record<string, string>;
export const inlineShadersPlugin: Plugin;
export const noNodeBuiltinsPlugin: Plugin;
export function buildAll(): Promise<{ outfile: string; bytes: number; imports: string[] }[]>;
