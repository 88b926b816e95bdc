/** `npm run local [-- --data <dir>]`: the serverless pipeline on this machine, no AWS account.
 * Starts S3 (s3rver), DynamoDB (DynamoDB Local on Java, else dynalite) and SQS (fauxqs) — or uses
 * AWS_ENDPOINT_URL (LocalStack) — with the stack's queues; S3 events go to the detect queue; each
 * stage's handler consumes its queue concurrently, as Lambda's event source mappings do; a timer
 * runs the cluster schedule; the REST API listens on PORT (default 8787). The caller is the
 * `x-user` header (the stand-in for Cognito's `sub`). Without --data everything is gone on exit. */
import { createServer as createNetServer } from 'node:net';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { numberFromEnv, portFromEnv } from '#config/env.ts';
import { ROUTES } from '../../functions/api/routes.ts';
import { STAGES, type Stage } from '../../infra/queue-settings.ts';
import { startLocalPipeline, type LocalPipeline } from './local-pipeline.ts';

const { values: args } = parseArgs({ options: { data: { type: 'string' } } });
const port = portFromEnv(process.env, 'PORT', 8787);
const clusterEveryMs = numberFromEnv(process.env, 'RANKFACE_LOCAL_CLUSTER_MS', 10_000);
const workersPerStage = numberFromEnv(process.env, 'RANKFACE_LOCAL_WORKERS', 1, { integer: true, min: 1, max: 16 });

/** Fail before starting anything when the port is taken: one line, not a stack trace. */
async function assertPortFree(p: number): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const probe = createNetServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${p} is in use: set PORT to a free port (e.g. PORT=8788 npm run local)`)
          : err,
      ),
    );
    probe.listen(p, '127.0.0.1', () => probe.close(() => ok()));
  });
}

/** Match a request path to a route resource of the REST API, extracting its path parameters. */
function route(method: string, path: string): { resource: string; params: Record<string, string> } | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const tpl = r.resource.split('/').filter(Boolean);
    if (tpl.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (
      tpl.every((t, i) =>
        t.startsWith('{') ? ((params[t.slice(1, -1)] = decodeURIComponent(parts[i]!)), true) : t === parts[i],
      )
    )
      return { resource: r.resource, params };
  }
  return undefined;
}

/** API Gateway's proxy event for a local request (what the REST API hands the function). */
function apiEvent(
  req: IncomingMessage,
  url: URL,
  matched: { resource: string; params: Record<string, string> },
  body: string | null,
): APIGatewayProxyEvent {
  const user = req.headers['x-user'];
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return {
    httpMethod: req.method,
    resource: matched.resource,
    path: url.pathname,
    pathParameters: Object.keys(matched.params).length ? matched.params : null,
    queryStringParameters: url.searchParams.size ? Object.fromEntries(url.searchParams) : null,
    headers,
    multiValueHeaders: {},
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: { authorizer: typeof user === 'string' ? { claims: { sub: user } } : null },
  } as unknown as APIGatewayProxyEvent;
}

function serveApi(local: LocalPipeline): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    // API Gateway answers preflights itself (the stack's CORS setting); here the same list applies.
    const origin = local.runtime.config.allowedOrigins.includes('*') ? '*' : (req.headers.origin ?? '');
    const cors = {
      'access-control-allow-origin': origin,
      'access-control-allow-headers': 'x-user, content-type',
      'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const matched = route(req.method ?? 'GET', url.pathname);
    if (!matched)
      return void res
        .writeHead(404, { 'content-type': 'application/json', ...cors })
        .end(JSON.stringify({ error: 'no such route' }));
    const out = await local.handlers.api(
      apiEvent(req, url, matched, chunks.length ? Buffer.concat(chunks).toString('utf8') : null),
    );
    res.writeHead(out.statusCode, { ...cors, ...(out.headers as Record<string, string>) }).end(out.body);
  };
}

/** Each stage's consumers poll their queue concurrently (long polling), as Lambda would. */
function startConsumers(local: LocalPipeline): () => Promise<void> {
  let running = true;
  const loop = async (stage: Stage): Promise<void> => {
    while (running) {
      try {
        await local.poll(stage, 1);
      } catch (err) {
        local.runtime.logger.error('local consumer failed', { stage, error: (err as Error).message });
      }
    }
  };
  const loops = STAGES.flatMap((stage) => Array.from({ length: workersPerStage }, () => loop(stage)));
  const timer = setInterval(
    () =>
      void local.handlers
        .scheduler()
        .catch((err: unknown) => local.runtime.logger.error('schedule failed', { error: (err as Error).message })),
    clusterEveryMs,
  );
  return async () => {
    running = false;
    clearInterval(timer);
    await Promise.all(loops);
  };
}

async function main(): Promise<void> {
  await assertPortFree(port);
  const dataDir = args.data ? resolve(args.data) : undefined;
  const local = await startLocalPipeline({ name: 'local', ...(dataDir ? { dataDir } : {}) });
  const { aws } = local;
  const stopConsumers = startConsumers(local);
  const server = createServer(
    (req, res) => void serveApi(local)(req, res).catch((err: unknown) => res.writeHead(500).end(String(err))),
  );
  server.listen(port, '127.0.0.1', () => {
    const endpoint = process.env.AWS_ENDPOINT_URL;
    process.stdout.write(
      `rankface local AWS: API on http://127.0.0.1:${port} (PORT; caller = x-user header)\n` +
        (endpoint
          ? `  all services at AWS_ENDPOINT_URL=${endpoint} (LocalStack): no emulator started\n`
          : `  S3: s3rver at ${process.env.AWS_ENDPOINT_URL_S3} (in-process), bucket ${aws.bucket}\n` +
            `  DynamoDB: ${aws.dynamoKind} at ${process.env.AWS_ENDPOINT_URL_DYNAMODB} (${aws.dynamoReason}), table ${aws.table}\n` +
            `  SQS: fauxqs at ${aws.sqs.endpoint} (in-process), queues detect/embed/cluster with DLQs, the stack's settings\n`) +
        `  stages: ${workersPerStage} consumer(s) per stage (RANKFACE_LOCAL_WORKERS), schedule every ${clusterEveryMs / 1000} s\n` +
        `  data: ${dataDir ? `kept in ${dataDir} across restarts (queued messages are not)` : 'temporary: gone on exit (use --data <dir> to keep it)'}\n` +
        `  try: curl -s -X POST localhost:${port}/uploads -H 'x-user: alice' -d '{"fileName":"me.jpg"}'\n`,
    );
  });
  const shutdown = async (): Promise<void> => {
    server.close();
    await stopConsumers();
    await local.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run local: ${(err as Error).message}\n`);
  process.exit(1);
});
