// Telling a package that is absent from one that is present but fails to load (a broken native addon).
/** Whether an import() failed because the package itself is absent (not because it failed to load). */
export function isModuleNotFound(e: unknown, name: string): boolean {
  const err = e as { code?: string; message?: string };
  const notFound = err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND';
  return notFound && String(err.message).includes(`'${name}'`);
}
