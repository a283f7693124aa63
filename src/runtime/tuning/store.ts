// Where 'auto' tuning keeps what it measured: a JSON file per adapter in the user's cache folder in Node,
// IndexedDB in a browser, or any store the caller passes.
import { TuningProfileError } from '../../core/errors.js';
import { KESTREL_VERSION } from '../../core/version.js';
import type { AdapterDescription } from '../device.js';
import { type TuningProfile, parseProfile } from './profile.js';

export interface TuningStore {
  load: (key: string) => Promise<TuningProfile | null>;
  save: (key: string, profile: TuningProfile) => Promise<void>;
}

/** One store entry per adapter and Kestrel version, e.g. 'mesa-llvmpipe-mesa-25-0-7-...-v0.1.0'. */
export function storeKey(a: AdapterDescription): string {
  const slug = [a.vendor, a.architecture, a.device, a.description]
    .filter(Boolean)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 96);
  return `${slug || 'unknown-adapter'}-v${KESTREL_VERSION}`;
}

type NodeFs = typeof import('node:fs');

/** Node: $KESTREL_TUNING_CACHE, else $XDG_CACHE_HOME/kestrel/tuning, else ~/.cache/kestrel/tuning. */
export async function fileStore(dir?: string): Promise<TuningStore> {
  // built at run time so that no bundler resolves it for the browser build
  const fsName = ['node', 'fs'].join(':');
  const fs = (await import(/* @vite-ignore */ fsName)) as NodeFs;
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  const root = dir ?? env.KESTREL_TUNING_CACHE ?? `${env.XDG_CACHE_HOME ?? `${env.HOME ?? '.'}/.cache`}/kestrel/tuning`;
  const file = (key: string) => `${root}/${key}.json`;
  return {
    async load(key) {
      let text: string;
      try {
        text = await fs.promises.readFile(file(key), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
      try {
        return parseProfile(text, file(key));
      } catch (e) {
        // a damaged cache is measured again, not fatal
        if (e instanceof TuningProfileError) return null;
        throw e;
      }
    },
    async save(key, profile) {
      await fs.promises.mkdir(root, { recursive: true });
      const tmp = `${file(key)}.${Date.now()}.tmp`;
      await fs.promises.writeFile(tmp, JSON.stringify(profile, null, 1));
      await fs.promises.rename(tmp, file(key));
    },
  };
}

/** Browser: one IndexedDB object store 'profiles' in database 'kestrel-tuning'. */
export function indexedDbStore(idb: IDBFactory): TuningStore {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const req = idb.open('kestrel-tuning', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('profiles');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB open failed'));
    });
  const call = <T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>) =>
    open().then(
      (db) =>
        new Promise<T>((resolve, reject) => {
          const req = f(db.transaction('profiles', mode).objectStore('profiles'));
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
        }),
    );
  return {
    async load(key) {
      const v = await call<unknown>('readonly', (s) => s.get(key));
      return v ? parseProfile(v, `IndexedDB kestrel-tuning/${key}`) : null;
    },
    async save(key, profile) {
      await call('readwrite', (s) => s.put(profile, key));
    },
  };
}

/** A store that lives as long as the process (no IndexedDB, no file system). */
export function memoryStore(): TuningStore {
  const m = new Map<string, TuningProfile>();
  return {
    load: (key) => Promise.resolve(m.get(key) ?? null),
    save: (key, p) => {
      m.set(key, p);
      return Promise.resolve();
    },
  };
}

export async function defaultStore(): Promise<TuningStore> {
  const g = globalThis as { indexedDB?: IDBFactory; process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node) return fileStore();
  return g.indexedDB ? indexedDbStore(g.indexedDB) : memoryStore();
}
