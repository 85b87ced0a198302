#!/usr/bin/env node
// The two demo apps' front doors for `npm start`:
// - APP_PORT (3000): the new-frontend-system app (packages/app-next). Every request is passed to
//   the backend (BACKEND_ORIGIN, :7007), whose app-backend serves the production build with the
//   runtime config injected and long-lived caching for the hashed static files. The app's
//   baseUrl stays http://localhost:3000, so sign-in popups and CORS work as configured.
// - LEGACY_APP_PORT (3001): the legacy app (packages/app), its production build served from
//   packages/app/dist (hashed files under /static cached for a year, index.html revalidated,
//   unknown paths answered with index.html so client-side routes load).
//
// Usage: node scripts/serve-apps.mjs   (env: APP_PORT, LEGACY_APP_PORT, BACKEND_ORIGIN)
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const APP_PORT = Number(process.env.APP_PORT ?? 3000);
const LEGACY_APP_PORT = Number(process.env.LEGACY_APP_PORT ?? 3001);
const BACKEND = new URL(process.env.BACKEND_ORIGIN ?? 'http://127.0.0.1:7007');
const LEGACY_DIST = join(repoRoot, 'packages', 'app', 'dist');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Passes one request to the backend and streams its answer back; 502 while it is not up. */
function proxyToBackend(req, res) {
  const upstream = http.request(
    {
      host: BACKEND.hostname,
      port: BACKEND.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    },
    answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', error => {
    if (res.headersSent) {
      res.destroy(error);
      return;
    }
    res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      `The backend (${BACKEND.origin}) is not answering yet: ${error.message}\n`,
    );
  });
  req.pipe(upstream);
}

/** Serves a file of the legacy app's build, or index.html for client-side routes. */
function serveLegacy(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return;
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Bad request: the path is not valid percent-encoded UTF-8\n');
    return;
  }
  const candidate = normalize(join(LEGACY_DIST, pathname));
  const inside =
    candidate === LEGACY_DIST || candidate.startsWith(LEGACY_DIST + sep);
  let file =
    inside &&
    !candidate.endsWith('.tmpl') &&
    existsSync(candidate) &&
    statSync(candidate).isFile()
      ? candidate
      : undefined;
  if (!file && pathname.startsWith('/static/')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
    return;
  }
  file ??= join(LEGACY_DIST, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      'The legacy app is not built: run `node scripts/build-app.mjs app`\n',
    );
    return;
  }
  const immutable = file.startsWith(join(LEGACY_DIST, 'static') + sep);
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'cache-control': immutable
      ? 'public, max-age=31536000, immutable'
      : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

http.createServer(proxyToBackend).listen(APP_PORT, () => {
  console.log(
    `app (new frontend system) on http://localhost:${APP_PORT}, served by ${BACKEND.origin}`,
  );
});
http.createServer(serveLegacy).listen(LEGACY_APP_PORT, () => {
  console.log(
    `legacy app on http://localhost:${LEGACY_APP_PORT}, from ${LEGACY_DIST}`,
  );
});
