// A small static file server on 127.0.0.1 for the demo, screenshots and browser benchmarks.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml', '.bin': 'application/octet-stream',
  '.pgm': 'image/x-portable-graymap', '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves `mounts` ({ urlPrefix: directory }, or { urlPath: file } for one file; longest prefix first) and resolves with
 * { server, url } once listening on the given port (0 or busy: the next free one).
 * `headers` are added to every file response (e.g. cross-origin isolation, a Content-Security-Policy):
 * an object, or a function of the request (its URL path and Host header) returning one.
 */
export function serveStatic(mounts, port = 0, headers = {}) {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const mount = entries.find(([prefix]) => path.startsWith(prefix));
    if (!mount) return notFound(res);
    const root = resolve(mount[1]);
    let file = normalize(join(root, path.slice(mount[0].length)));
    if (!file.startsWith(root)) return notFound(res);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return notFound(res);
    const extra = typeof headers === 'function' ? headers({ path, host: req.headers.host ?? '' }) : headers;
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache', ...extra });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    const tryListen = (p, attempts) => {
      server.once('error', (e) => (e.code === 'EADDRINUSE' && attempts > 0 ? tryListen(p + 1, attempts - 1) : reject(e)));
      server.listen(p, '127.0.0.1', () => resolvePromise({ server, url: `http://127.0.0.1:${server.address().port}/` }));
    };
    tryListen(port, 20);
  });
}

function notFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}
