/** `npm run bench:cost`: dollars per 1M photos for the serverless pipeline, from measured stage
 * times and measured DynamoDB/S3/SQS request counts on the local emulators, × AWS list prices.
 * Runs the real handlers (detect, embed, cluster) on real photos; prints a table and its assumptions.
 * Options (env): RANKFACE_BENCH_PHOTOS (default 24), RANKFACE_DATA (data folder). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import type { WorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import { readEngineConfig } from '#config/engine.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import { defaultClusterer } from '#core/pipeline/index.ts';
import { createClusterHandler } from '../functions/cluster/handler.ts';
import { createDetectHandler } from '../functions/detect/handler.ts';
import { createEmbedHandler } from '../functions/embed/handler.ts';
import { awsRuntime } from '../functions/shared/runtime.ts';
import { startLocalAws } from '../scripts/emulators/local-aws.ts';
import { S3EventQueue, sqsRecordOf } from '../scripts/emulators/s3-events.ts';
import { PutObjectCommand } from '@aws-sdk/client-s3';

// ---- list prices (us-east-1, x86_64, as published in 2025; edit here) --------------------------
const PRICE = {
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  ddbWriteUnit: 0.625 / 1e6, // on-demand WRU
  ddbReadUnit: 0.125 / 1e6, // on-demand RRU
  s3Put: 0.005 / 1000, // PUT, COPY, POST, LIST
  s3Get: 0.0004 / 1000,
  sqsRequest: 0.4 / 1e6,
};
// Memory of each function in the stack (infra/stack.ts).
const MEMORY_GB = { detect: 2, embed: 2, cluster: 3008 / 1024 };
// Clustering assumption: a user's library of L photos arrives in batches of B; every scheduled run
// re-clusters the whole library so far.
const LIBRARY = 1000;
const BATCH = 100;

const dataDir = process.env.RANKFACE_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'data');
const nPhotos = Number(process.env.RANKFACE_BENCH_PHOTOS ?? 24);

class Counter {
  wru = 0;
  rru = 0;
  s3Put = 0;
  s3Get = 0;
  reset(): void {
    this.wru = this.rru = this.s3Put = this.s3Get = 0;
  }
}
const counter = new Counter();

class MemoryQueue implements WorkQueue {
  items: SQSRecord[] = [];
  sent = 0;
  async send(messages: readonly object[]): Promise<void> {
    for (const m of messages) this.items.push(sqsRecordOf(m));
    this.sent += messages.length;
  }
  drain(): SQSRecord[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}

const aws = await startLocalAws({ name: 'bench' });
try {
  const runtime = { ...awsRuntime('bench'), logger: silentLogger };
  // Count what each stage asks of DynamoDB (consumed capacity as DynamoDB reports it) and S3.
  type Mw = (next: (a: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>) => (a: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
  const ddbMw = (command: string): Mw => (next) => async (args) => {
    args.input.ReturnConsumedCapacity = 'TOTAL';
    const out = await next(args);
    const reads = /^(Get|Query|Scan|BatchGet)/.test(command);
    for (const c of [(out.output.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined) ?? []].flat()) {
      if (reads) counter.rru += c.CapacityUnits ?? 0;
      else counter.wru += c.CapacityUnits ?? 0;
    }
    return out;
  };
  const s3Mw = (name: string): Mw => (next) => async (args) => {
    if (/Get|Head/.test(name)) counter.s3Get++;
    else counter.s3Put++;
    return next(args);
  };
  // The adapters keep their clients private: reach them only here, to count requests.
  const faces = runtime.faces as unknown as { db: { middlewareStack: { add(m: (next: never, ctx: { commandName: string }) => unknown, o: object): void } } };
  faces.db.middlewareStack.add(((next: Parameters<Mw>[0], ctx: { commandName: string }) => ddbMw(ctx.commandName)(next)) as never, { step: 'initialize', name: 'countCapacity' });
  const blobs = runtime.blobs as unknown as { s3: { middlewareStack: { add(m: (next: never, ctx: { commandName: string }) => unknown, o: object): void } } };
  blobs.s3.middlewareStack.add(((next: Parameters<Mw>[0], ctx: { commandName: string }) => s3Mw(ctx.commandName)(next)) as never, { step: 'initialize', name: 'countRequests' });

  const analyzer = await createFaceAnalyzer(readEngineConfig());
  const embedQueue = new MemoryQueue();
  const clusterQueue = new MemoryQueue();
  const detect = createDetectHandler({ ...runtime, analyzer, embedQueue });
  const embed = createEmbedHandler({ ...runtime, analyzer });
  const clusterFn = createClusterHandler({ ...runtime, clusterQueue, cluster: defaultClusterer, modelId: analyzer.embedderId });

  // Photos: LFW (one main face, 250x250) and the group photos (several faces, larger).
  const lfw = readdirSync(join(dataDir, 'lfw-120')).sort().flatMap((d) => readdirSync(join(dataDir, 'lfw-120', d)).sort().map((f) => join(dataDir, 'lfw-120', d, f)));
  const groups = readdirSync(join(dataDir, 'group', 'bbt')).sort().map((f) => join(dataDir, 'group', 'bbt', f));
  const files = [...groups.slice(0, Math.ceil(nPhotos / 6)), ...lfw].slice(0, nPhotos);
  const events = new S3EventQueue();
  aws.onS3Event((e) => events.push(e));
  for (const [i, f] of files.entries()) {
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `uploads/bench-user/${i}-${f.split('/').pop()}`, Body: readFileSync(f) }));
  }
  await detect({ Records: [] }); // warm: cold start (model load) is reported apart

  const stage = async (run: () => Promise<unknown>) => {
    counter.reset();
    const t0 = performance.now();
    await run();
    return { ms: performance.now() - t0, wru: counter.wru, rru: counter.rru, s3Put: counter.s3Put, s3Get: counter.s3Get };
  };
  const records = events.drain();
  const detectM = await stage(async () => { for (const r of records) await detect({ Records: [r] }); });
  const embedJobs = embedQueue.drain();
  const embedM = await stage(async () => { for (const j of embedJobs) await embed({ Records: [j] }); });
  const nFaces = (await runtime.faces.listFaces('bench-user')).length;
  await clusterFn({ 'detail-type': 'Scheduled Event', source: 'aws.events', id: 'b', account: '0', time: '', region: 'us-east-1', resources: [], detail: {}, version: '0' });
  const jobs = clusterQueue.drain();
  const clusterM = await stage(async () => { for (const j of jobs) await clusterFn({ Records: [j] }); });

  // ---- per-photo costs -------------------------------------------------------------------------
  const n = files.length;
  const lambda = (ms: number, gb: number, invocations: number) => (ms / 1000) * gb * PRICE.lambdaGbSecond + invocations * PRICE.lambdaRequest;
  const ddb = (m: { wru: number; rru: number }) => m.wru * PRICE.ddbWriteUnit + m.rru * PRICE.ddbReadUnit;
  const s3c = (m: { s3Put: number; s3Get: number }) => m.s3Put * PRICE.s3Put + m.s3Get * PRICE.s3Get;
  // Cluster: runs per user = L/B, average library size over the runs = (L + B) / 2 photos.
  const clusterScale = ((LIBRARY / BATCH) * ((LIBRARY + BATCH) / 2)) / LIBRARY / n; // per photo, relative to one run over n photos
  const rows = [
    // detect: one S3 event message per photo (batch size 5 in the stack → 1/5 invocation per photo)
    { stage: 'detect', msPerPhoto: detectM.ms / n, lambda: lambda(detectM.ms, MEMORY_GB.detect, n / 5), ddb: ddb(detectM), s3: s3c(detectM) + n * PRICE.s3Put /* the upload */, sqs: 3 * n * PRICE.sqsRequest },
    { stage: 'embed', msPerPhoto: embedM.ms / n, lambda: lambda(embedM.ms, MEMORY_GB.embed, embedJobs.length / 10), ddb: ddb(embedM), s3: s3c(embedM), sqs: 3 * embedJobs.length * PRICE.sqsRequest },
    { stage: 'cluster', msPerPhoto: (clusterM.ms / n) * clusterScale * n, lambda: lambda(clusterM.ms, MEMORY_GB.cluster, 1) * clusterScale * n, ddb: ddb(clusterM) * clusterScale * n, s3: 0, sqs: 3 * PRICE.sqsRequest * clusterScale },
  ].map((r) => ({ ...r, total: r.lambda + r.ddb + r.s3 + r.sqs }));
  const perPhoto = rows.reduce((s, r) => s + r.total, 0);

  const fmt = (x: number) => `$${(x * 1e6).toFixed(2)}`;
  const lines = [
    `rankface serverless cost, measured on ${n} photos (${nFaces} faces) against local emulators`,
    '',
    '| stage | ms/photo (measured; cluster amortised) | Lambda | DynamoDB | S3 | SQS | total per 1M photos |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.stage} | ${r.msPerPhoto.toFixed(1)} | ${fmt(r.lambda / n)} | ${fmt(r.ddb / n)} | ${fmt(r.s3 / n)} | ${fmt(r.sqs / n)} | ${fmt(r.total / n)} |`),
    `| **all** | | | | | | **${fmt(perPhoto / n)}** |`,
    '',
    'Assumptions:',
    `- Lambda x86_64 $${PRICE.lambdaGbSecond}/GB-s + $0.20/1M requests; memory detect ${MEMORY_GB.detect} GB, embed ${MEMORY_GB.embed} GB, cluster ${MEMORY_GB.cluster.toFixed(2)} GB (infra/stack.ts).`,
    '- Stage time is this machine\'s wall time for the warm handler including emulator I/O; Lambda bills GB-s of the same work. Cold starts (model load) are excluded.',
    `- DynamoDB on-demand $0.625/1M WRU, $0.125/1M RRU, units as DynamoDB Local reports them (detect ${detectM.wru.toFixed(0)} WRU / ${detectM.rru.toFixed(0)} RRU, embed ${embedM.wru.toFixed(0)} / ${embedM.rru.toFixed(0)}, one cluster run ${clusterM.wru.toFixed(0)} / ${clusterM.rru.toFixed(0)}).`,
    '- S3 $0.005/1k PUT, $0.0004/1k GET (upload + crops + crop reads); SQS $0.40/1M requests, 3 per message (send, receive, delete). Storage, API calls and data transfer are not included.',
    `- Clustering: libraries of ${LIBRARY} photos arriving in batches of ${BATCH}; each scheduled run re-clusters the whole library so far (cost scaled linearly from the measured run).`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  await analyzer.dispose();
} finally {
  await aws.stop();
}
