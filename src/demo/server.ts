// A small static server for the infotainment page: web/, the browser bundle, the bundled frames and the models.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { DEFAULT_PRECISION, PRECISIONS, modelFiles, modelsAvailable } from './models.js';
import { findRoot } from './root.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** What the page may switch between; it fetches this first. */
export function manifest(): Record<string, unknown> {
  const root = findRoot();
  const frames = existsSync(join(root, 'assets', 'frames', 'frames.json')) ? '/frames/frames.json' : null;
  return {
    models: [{ id: 'ppocrv4', name: 'PP-OCRv4 det + rec', keys: '/models/keys.txt' }],
    precisions: Object.fromEntries(
      PRECISIONS.map((p) => [
        p,
        { available: modelsAvailable(p), det: `/models/${p}/det.onnx`, rec: `/models/${p}/rec.onnx` },
      ]),
    ),
    defaultPrecision: DEFAULT_PRECISION,
    frames,
  };
}

/** Maps a URL path to a file, or null. Only these folders are served; '..' never escapes them. */
function resolvePath(url: string, distDir: string): string | null {
  const root = findRoot();
  const path = decodeURIComponent(url.split('?')[0]);
  const inside = (base: string, rest: string) => {
    const full = normalize(join(base, rest));
    return full === base || full.startsWith(base + sep) ? full : null;
  };
  if (path === '/' || path === '/index.html') return join(root, 'web', 'index.html');
  const m = /^\/models\/(f32|int8|int8-full)\/(det|rec)\.onnx$/.exec(path);
  if (m) return modelsAvailable(m[1] as 'f32') ? modelFiles(m[1] as 'f32')[m[2] as 'det'] : null;
  if (path === '/models/keys.txt') return modelFiles('f32').keys;
  if (path.startsWith('/web/')) return inside(join(root, 'web'), path.slice(5));
  if (path.startsWith('/dist/')) return inside(distDir, path.slice(6));
  if (path.startsWith('/frames/')) return inside(join(root, 'assets', 'frames'), path.slice(8));
  return null;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Where /dist/ is served from (default: the package's dist/, written by `npm run build`). */
  distDir?: string;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const distDir = opts.distDir ?? join(findRoot(), 'dist');
  const server: Server = createServer((req, res) => {
    if (req.url === '/manifest.json') {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
      res.end(JSON.stringify(manifest()));
      return;
    }
    const file = resolvePath(req.url ?? '/', distDir);
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
