/** `npm run local`: the serverless pipeline on this machine, no AWS account. Starts S3 (s3rver) and
 * DynamoDB (DynamoDB Local, or dynalite without Java), wires S3 events → detect → embed → cluster
 * exactly as the stack does (same handlers, in-process queues, a timer for the schedule), and serves
 * the REST API on localhost. The caller is the `x-user` header (the stand-in for Cognito's `sub`). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, ScheduledEvent, SQSRecord } from 'aws-lambda';
import type { WorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import { readEngineConfig } from '#config/engine.ts';
import { numberFromEnv, portFromEnv } from '#config/env.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import { defaultClusterer } from '#core/pipeline/index.ts';
import { createApiHandler } from '../../functions/api/handler.ts';
import { ROUTES } from '../../functions/api/routes.ts';
import { createClusterHandler } from '../../functions/cluster/handler.ts';
import { createDetectHandler } from '../../functions/detect/handler.ts';
import { createEmbedHandler } from '../../functions/embed/handler.ts';
import { awsRuntime } from '../../functions/shared/runtime.ts';
import { startLocalAws } from '../../scripts/emulators/local-aws.ts';
import { S3EventQueue, sqsRecordOf } from '../../scripts/emulators/s3-events.ts';

class MemoryQueue implements WorkQueue {
  private items: SQSRecord[] = [];
  constructor(private readonly name: string, private readonly onSend: () => void) {}
  async send(messages: readonly object[]): Promise<void> {
    for (const m of messages) this.items.push(sqsRecordOf(m, this.name));
    if (messages.length) this.onSend();
  }
  drain(): SQSRecord[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}

const port = portFromEnv(process.env, 'PORT', 8787);
const clusterEveryMs = numberFromEnv(process.env, 'RANKFACE_LOCAL_CLUSTER_MS', 10_000);

const aws = await startLocalAws({ name: 'local' });
const runtime = awsRuntime('local');
const analyzer = await createFaceAnalyzer(readEngineConfig());

// One worker loop: stages run one at a time, in order, like a small account's concurrency.
let chain: Promise<unknown> = Promise.resolve();
const enqueue = (work: () => Promise<unknown>): void => {
  chain = chain.then(work).catch((err: unknown) => runtime.logger.error('local stage failed', { error: (err as Error).message }));
};
const s3Events = new S3EventQueue();
const embedQueue = new MemoryQueue('embed', () => enqueue(async () => embed({ Records: embedQueue.drain() })));
const clusterQueue = new MemoryQueue('cluster', () => enqueue(async () => { for (const r of clusterQueue.drain()) await clusterFn({ Records: [r] }); }));
const detect = createDetectHandler({ ...runtime, analyzer, embedQueue });
const embed = createEmbedHandler({ ...runtime, analyzer });
const clusterFn = createClusterHandler({ ...runtime, clusterQueue, cluster: defaultClusterer, modelId: analyzer.embedderId });
const api = createApiHandler({ ...runtime, presignSeconds: runtime.config.presignSeconds });

aws.onS3Event((e) => {
  s3Events.push(e);
  enqueue(async () => detect({ Records: s3Events.drain() }));
});
const schedule: ScheduledEvent = { 'detail-type': 'Scheduled Event', source: 'aws.events', id: 'local', account: '000000000000', time: '', region: runtime.config.region, resources: [], detail: {}, version: '0' };
setInterval(() => enqueue(async () => clusterFn({ ...schedule, time: new Date().toISOString() })), clusterEveryMs).unref();

/** Match a request path to a route resource of the REST API, extracting its path parameters. */
function route(method: string, path: string): { resource: string; params: Record<string, string> } | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const tpl = r.resource.split('/').filter(Boolean);
    if (tpl.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (tpl.every((t, i) => (t.startsWith('{') ? ((params[t.slice(1, -1)] = decodeURIComponent(parts[i]!)), true) : t === parts[i]))) return { resource: r.resource, params };
  }
  return undefined;
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'x-user, content-type', 'access-control-allow-methods': 'GET, POST, PATCH, OPTIONS' };
  if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
  const matched = route(req.method ?? 'GET', url.pathname);
  if (!matched) return void res.writeHead(404, { 'content-type': 'application/json', ...cors }).end(JSON.stringify({ error: 'no such route' }));
  const user = req.headers['x-user'];
  const event = {
    httpMethod: req.method, resource: matched.resource, path: url.pathname,
    pathParameters: Object.keys(matched.params).length ? matched.params : null,
    queryStringParameters: url.searchParams.size ? Object.fromEntries(url.searchParams) : null,
    headers: {}, multiValueHeaders: {}, multiValueQueryStringParameters: null, stageVariables: null,
    body: chunks.length ? Buffer.concat(chunks).toString('utf8') : null, isBase64Encoded: false,
    requestContext: { authorizer: typeof user === 'string' ? { claims: { sub: user } } : null },
  } as unknown as APIGatewayProxyEvent;
  const out = await api(event);
  res.writeHead(out.statusCode, { ...(out.headers as Record<string, string>), ...cors }).end(out.body);
}

const server = createServer((req, res) => {
  serve(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(
    `rankface local AWS: API on http://127.0.0.1:${port} (caller = x-user header)\n` +
      `  S3 ${process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL} bucket ${aws.bucket}; DynamoDB (${aws.dynamoKind}) table ${aws.table}\n` +
      `  try: curl -s -X POST localhost:${port}/uploads -H 'x-user: alice' -d '{"fileName":"me.jpg"}'\n`,
  );
});

const shutdown = async (): Promise<void> => {
  server.close();
  await analyzer.dispose();
  await aws.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
