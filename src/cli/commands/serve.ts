import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { LOCAL_USER } from '#cli/commands/cluster.ts';
import { blobUrlOf, createRequestHandler } from '#cli/serve/http.ts';
import { createLocalRouter } from '#cli/serve/local-api.ts';
import { readEngineConfig } from '#config/engine.ts';
import { readFaceMap } from '#cli/serve/map.ts';
import { readPeopleJson, rewriteReportFromStore } from '#cli/report/rewrite.ts';
import { ROUTES } from '../../../functions/api/routes.ts';
import { buildWeb, WEB_DIST, webBuildIsStale } from '../../../scripts/build-web.ts';

/** `rankface serve [--out <dir>] [--port <n>] [--host 127.0.0.1]`: the People web app and the REST
 * API (the cloud's routes, bodies and status codes) over the SQLite store of a `rankface cluster`
 * output folder. Loopback only unless told otherwise; Ctrl-C stops it. */

interface Args {
  /** A photos folder to cluster (or bring up to date) first, as `rankface cluster` does. */
  readonly photosDir?: string;
  readonly outDir: string;
  readonly port: number;
  readonly host: string;
}

function usage(): string {
  return [
    'usage: rankface serve [<photos-dir>] [--out <dir>] [--port <n>] [--host <address>]',
    '',
    '  Browse and correct the people of a `rankface cluster` output folder in a browser.',
    '  <photos-dir>    cluster this folder first (only new or changed photos are analysed)',
    '  --out <dir>     the output folder (default ./rankface-out)',
    '  --port <n>      port (default 8686; 0 picks a free one)',
    '  --host <addr>   address to bind (default 127.0.0.1: this machine only)',
  ].join('\n');
}

function parseArgs(args: string[]): Args | string {
  let outDir = 'rankface-out';
  let port = 8686;
  let host = '127.0.0.1';
  let photosDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] =
      args[i]!.startsWith('--') && args[i]!.includes('=') ? args[i]!.split(/=(.*)/s, 2) : [args[i]!, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (flag === '--out' || flag === '-o') outDir = value() ?? '';
    else if (flag === '--port' || flag === '-p') port = Number(value());
    else if (flag === '--host') host = value() ?? '';
    else if (!flag.startsWith('-') && photosDir === undefined) photosDir = flag;
    else return `unexpected argument '${args[i]}'`;
  }
  if (!outDir) return '--out needs a folder';
  if (!Number.isInteger(port) || port < 0 || port > 65535) return '--port needs a port number (0-65535)';
  if (!host) return '--host needs an address';
  return { outDir: resolve(outDir), port, host, ...(photosDir ? { photosDir: resolve(photosDir) } : {}) };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`rankface serve: ${args}\n${usage()}\n`);
    return 2;
  }
  if (args.photosDir) {
    const { run: cluster } = await import('#cli/commands/cluster.ts');
    const code = await cluster([args.photosDir, '--out', args.outDir]);
    if (code !== 0) return code;
  }
  const dbFile = join(args.outDir, 'rankface.db');
  if (!existsSync(dbFile)) {
    process.stderr.write(
      `rankface serve: no rankface store in ${args.outDir} (run \`rankface cluster <photos-dir> --out ${args.outDir}\` first)\n`,
    );
    return 2;
  }
  if (await webBuildIsStale()) {
    process.stderr.write('rankface serve: building the web app…\n');
    await buildWeb();
  }
  const store = new SqliteFaceStore(dbFile);
  const blobs = new FsBlobStore(join(args.outDir, 'blobs'));
  const server = createServer(
    createRequestHandler({
      webDir: WEB_DIST,
      userId: LOCAL_USER,
      router: createLocalRouter(store, blobUrlOf, readEngineConfig().embedder),
      blobs,
      map: () => readFaceMap(args.outDir, LOCAL_USER, store),
      afterEdit: async () =>
        void (await rewriteReportFromStore(args.outDir, LOCAL_USER, store, blobs, await readPeopleJson(args.outDir))),
      log: (line) => process.stderr.write(`${line}\n`),
      routes: ROUTES.map((r) => `${r.method} ${r.resource}`),
    }),
  );
  return new Promise<number>((done) => {
    server.on('error', (err) => {
      process.stderr.write(`rankface serve: cannot listen on ${args.host}:${args.port}: ${err.message}\n`);
      store.close();
      done(1);
    });
    server.listen(args.port, args.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : args.port;
      const shown = args.host.includes(':') ? `[${args.host}]` : args.host;
      process.stdout.write(`rankface serve: http://${shown}:${port}/  (${args.outDir}; Ctrl-C to stop)\n`);
    });
    const stop = (): void => {
      server.close(() => {
        store.close();
        done(0);
      });
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
