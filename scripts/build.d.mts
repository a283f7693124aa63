// Types for scripts/build.mjs, for the tests that import it.
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
export function collectShaders(dir?: string): Record<string, string>;
export const inlineShadersPlugin: Plugin;
export const noNodeBuiltinsPlugin: Plugin;
export const browserLoadFilePlugin: Plugin;
export function mainEntryExternalPlugin(target: string): Plugin;
export const BROWSER_GZIP_BUDGET: number;
export function browserBuilds(outdir?: string): BuildOptions[];
export function inlinedPackages(metafiles: Metafile[]): string[];
export function buildAll(): Promise<
  { outfile: string; bytes: number; gzipBytes: number; minified: boolean; imports: string[] }[]
>;
export function buildTypes(): Promise<void>;
