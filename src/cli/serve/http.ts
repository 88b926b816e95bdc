import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import type { ApiRouter } from './types.ts';

/** `rankface serve`'s HTTP surface: the web app's files at `/`, its `config.json`, the REST API under
 * `/api` (the shared router), face crops under `/blobs/` (what the API's crop URLs point at) and the
 * face map. Nothing else of the output folder is reachable. */

export const API_PREFIX = '/api';
export const BLOB_PREFIX = '/blobs/';
export const MAP_PATH = '/local/map.json';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};
const MAX_BODY = 1024 * 1024;

export interface ServeDeps {
  readonly webDir: string;
  readonly userId: string;
  readonly router: ApiRouter;
  readonly blobs: FsBlobStore;
  /** The face map (`{points: [{id, x, y, personId}]}`), or undefined when there is none. */
  readonly map: () => Promise<unknown>;
  /** Runs after every successful edit (POST/PATCH): rewrites people.json and the report. */
  readonly afterEdit: () => Promise<void>;
  readonly log: (line: string) => void;
  /** The router's route keys (`GET /people`...), told to the app in its config.json. */
  readonly routes: readonly string[];
}

export const blobUrlOf = (key: string): string => BLOB_PREFIX + key.split('/').map(encodeURIComponent).join('/');

const send = (
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Uint8Array,
  cache = 'no-store',
): void => {
  res
    .writeHead(status, { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff' })
    .end(body);
};
const sendJson = (res: ServerResponse, status: number, body: unknown): void =>
  send(res, status, 'application/json', JSON.stringify(body));

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(c as Buffer);
  }
  return chunks.length ? Buffer.concat(chunks).toString('utf8') : null;
}

async function serveApi(deps: ServeDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  // An edit must come as JSON: a cross-site form post cannot send that without a CORS preflight,
  // which this server never grants.
  if (method !== 'GET' && method !== 'HEAD' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return sendJson(res, 415, { error: 'edits must be sent as application/json' });
  }
  const out = await deps.router({
    method,
    path: url.pathname.slice(API_PREFIX.length) || '/',
    query: Object.fromEntries(url.searchParams),
    body: await readBody(req),
    userId: deps.userId,
  });
  if (out.status < 300 && method !== 'GET') await deps.afterEdit();
  // Same-origin only: the cloud's CORS header is dropped, so another site open in the browser
  // cannot read or drive the local library.
  const headers = Object.fromEntries(
    Object.entries(out.headers).filter(([k]) => !k.toLowerCase().startsWith('access-control-')),
  );
  res.writeHead(out.status, { ...headers, 'cache-control': 'no-store' }).end(out.body);
}

async function serveBlob(deps: ServeDeps, res: ServerResponse, pathname: string): Promise<void> {
  let key: string;
  try {
    key = pathname.slice(BLOB_PREFIX.length).split('/').map(decodeURIComponent).join('/');
  } catch {
    return sendJson(res, 400, { error: 'bad blob path' });
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = await deps.blobs.get(key);
  } catch {
    return sendJson(res, 400, { error: 'bad blob key' });
  }
  if (!bytes) return sendJson(res, 404, { error: 'no such blob' });
  send(res, 200, TYPES[extname(key).toLowerCase()] ?? 'application/octet-stream', bytes, 'private, max-age=3600');
}

/** The page with the app's config.json inlined (a JSON data block: not a script, so the CSP's
 * script-src 'self' is kept), which saves the app a round trip before its first API call. */
export const withInlineConfig = (html: string, config: string): string =>
  html.replace(
    '<div id="app">',
    `<script type="application/json" id="rankface-config">${config.replace(/</g, '\\u003c')}</script>\n<div id="app">`,
  );

/** The app's script and stylesheet are revalidated (an ETag, answered 304 when unchanged) instead of
 * sent again, and the browser keeps its compiled code cache for them; the page itself is no-store. */
async function serveStatic(
  deps: ServeDeps,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  config: string,
): Promise<void> {
  const name = pathname === '/' ? 'index.html' : pathname.slice(1);
  // The app's files are flat: one path segment, no dot-files, nothing outside the build folder.
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name)) return sendJson(res, 404, { error: 'not found' });
  const file = join(deps.webDir, name);
  try {
    if (name === 'index.html')
      return send(res, 200, TYPES['.html']!, withInlineConfig(await readFile(file, 'utf8'), config));
    const info = await stat(file);
    const etag = `"${info.size.toString(36)}-${Math.trunc(info.mtimeMs).toString(36)}"`;
    if (req.headers['if-none-match'] === etag)
      return void res.writeHead(304, { etag, 'cache-control': 'no-cache' }).end();
    res.writeHead(200, {
      'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      etag,
      'x-content-type-options': 'nosniff',
    });
    res.end(await readFile(file));
  } catch {
    sendJson(res, 404, { error: 'not found' });
  }
}

export function createRequestHandler(deps: ServeDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const config = JSON.stringify({
    apiBase: API_PREFIX,
    auth: { kind: 'none' },
    mapUrl: MAP_PATH.slice(1),
    routes: deps.routes,
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return serveApi(deps, req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    if (path === '/config.json') return send(res, 200, 'application/json', config);
    if (path === MAP_PATH) {
      const map = await deps.map();
      return map ? sendJson(res, 200, map) : sendJson(res, 404, { error: 'no map yet: run rankface cluster' });
    }
    if (path.startsWith(BLOB_PREFIX)) return serveBlob(deps, res, path);
    return serveStatic(deps, req, res, path, config);
  };
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = (err as { status?: number }).status ?? 500;
      deps.log(`rankface serve: ${req.method} ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent)
        sendJson(res, status, { error: status === 500 ? 'internal error' : (err as Error).message });
      else res.end();
    });
  };
}
