/** `npm run bench:cost [-- --json]`: dollars per 1M photos for the serverless pipeline, from
 * measured stage CPU time, memory and DynamoDB/S3 requests on the local emulators, × AWS list
 * prices (bench/lib/cost-prices.ts). Runs the real handlers (detect, embed, the cluster fan-out and
 * the cluster use case) on 12 MP re-encodings of real photos; measures clustering at several
 * library sizes; prints a table and every assumption. `--json` adds one JSON line:
 * `{ "usd_per_million_photos": N, "stages": {...}, ... }`.
 * Options (env): RANKFACE_DATA (data folder), RANKFACE_BENCH_SINGLES (default 20 single-person
 * photos besides the 4 group photos), RANKFACE_BENCH_CLUSTER_SIZES (default 1000,4000,16000),
 * RANKFACE_BENCH_CODEC (f32 to price the old float32 vectors), RANKFACE_BENCH_EMBED (`inline`, the
 * stack's setting: detect embeds in the same invocation; `queue`: the two-stage detect → embed),
 * RANKFACE_BENCH_THREADS (ONNX Runtime threads; default the stack's, infra/function-sizes.ts),
 * RANKFACE_BENCH_UPLOAD_BATCH (photos presigned per API request, default 20: POST /uploads/batch; 1 prices POST /uploads). */
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import type { WorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import type { VectorCodec } from '#adapters/shared/vector-codec.ts';
import type { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { createDynamoClient } from '#adapters/aws/clients.ts';
import { readEngineConfig } from '#config/engine.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import { createSchedulerHandler } from '../functions/scheduler/handler.ts';
import { createDetectHandler } from '../functions/detect/handler.ts';
import { createEmbedHandler } from '../functions/embed/handler.ts';
import { awsRuntime } from '../functions/shared/runtime.ts';
import { FUNCTION_MEMORY_MB, ML_FUNCTION_THREADS } from '../infra/function-sizes.ts';
import { S3EventQueue, sqsRecordOf } from '../scripts/emulators/s3-events.ts';
import { measureAssignSizes } from './lib/cost-assign.ts';
import { measureClusterSizes } from './lib/cost-cluster.ts';
import { startEmulatorHost, type EmulatorHost } from './lib/emulator-host.ts';
import { countingLogger, countRequests, measureStage, RequestCounter } from './lib/cost-measure.ts';
import { priceEverything, renderCostReport, UPLOAD_BATCH, type PipelineMeasures } from './lib/cost-model.ts';
import { phoneSizePhotos } from './lib/phone-photos.ts';

const dataDir = process.env.RANKFACE_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'data');
const singles = Number(process.env.RANKFACE_BENCH_SINGLES ?? 20);
const clusterSizes = (process.env.RANKFACE_BENCH_CLUSTER_SIZES ?? '1000,4000,16000').split(',').map(Number);
const codec = (process.env.RANKFACE_BENCH_CODEC ?? 'i8') as VectorCodec;
const embedInline = (process.env.RANKFACE_BENCH_EMBED ?? 'inline') === 'inline';
const threads = Number(process.env.RANKFACE_BENCH_THREADS ?? ML_FUNCTION_THREADS);

/** The stack's queues are SQS; here messages are handed over in memory and counted (SQS requests
 * are priced from the counts: the queue's own latency is not Lambda time). */
class CountingQueue implements WorkQueue {
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

const inBatches = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** CPU time of one upload request's work besides the runtime: presigning `files` tickets (a PUT URL
 * and a POST policy each, as the API's createUpload does). Median of 7 runs after a warm-up. */
async function presignCpuMs(blobs: S3BlobStore, files: number): Promise<number> {
  const once = async (): Promise<number> => {
    const t = process.cpuUsage();
    await Promise.all(
      Array.from({ length: files }, (_, i) => {
        const key = `uploads/bench-user/${i.toString(16).padStart(16, '0')}-IMG_${i}.jpg`;
        const meta = { owner: 'bench-user' };
        return Promise.all([
          blobs.presignPut(key, 900, 'image/jpeg', meta),
          blobs.presignPost(key, 900, 'image/jpeg', meta, 50 * 2 ** 20),
        ]);
      }),
    );
    const c = process.cpuUsage(t);
    return (c.user + c.system) / 1000;
  };
  await once();
  const runs = [];
  for (let i = 0; i < 7; i++) runs.push(await once());
  return runs.sort((a, b) => a - b)[3]!;
}

async function measurePipeline(aws: EmulatorHost): Promise<PipelineMeasures> {
  const counter = new RequestCounter();
  const base = awsRuntime('bench');
  const faces = new DynamoFaceStore(createDynamoClient(base.config), base.faces.table, base.clock, codec);
  countRequests(faces, base.blobs, counter);
  const runtime = (fn: string) => ({ ...base, faces, logger: countingLogger(counter, { fn }) });

  const photos = await phoneSizePhotos(dataDir, 4, singles);
  const events = new S3EventQueue();
  let eventCount = 0;
  aws.onS3Event((e) => {
    eventCount += e.Records?.length ?? 0;
    events.push(e);
  });
  for (const [i, p] of photos.entries()) {
    await base.blobs.put(`uploads/bench-user/${i}-${p.name}`, p.bytes, 'image/jpeg');
  }
  // The events come over IPC from the emulators' process: wait for all of them.
  for (let waited = 0; eventCount < photos.length; waited += 50) {
    if (waited > 30_000) throw new Error(`only ${eventCount} of ${photos.length} S3 events arrived`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Cold start: what a new Lambda environment does before its first event (models loaded).
  let analyzer: Awaited<ReturnType<typeof createFaceAnalyzer>> | undefined;
  const coldStart = await measureStage(
    counter,
    async () => (analyzer = await createFaceAnalyzer(readEngineConfig(), { threads })),
  );
  const embedQueue = new CountingQueue();
  const clusterQueue = new CountingQueue();
  const detect = createDetectHandler({ ...runtime('detect'), analyzer: analyzer!, embedQueue, embedInline });
  const embed = createEmbedHandler({ ...runtime('embed'), analyzer: analyzer! });
  const scheduler = createSchedulerHandler({ ...runtime('cluster'), clusterQueue });

  // Batch sizes as the stack's event sources deliver them (detect 5, embed 10).
  const records = events.drain();
  const detectM = await measureStage(counter, async () => {
    for (const b of inBatches(records, 5)) await detect({ Records: b });
  });
  const embedJobs = embedQueue.drain();
  const embedM = await measureStage(counter, async () => {
    for (const b of inBatches(embedJobs, 10)) await embed({ Records: b });
  });
  const nFaces = (await faces.listFaces('bench-user')).length;
  const fanOutM = await measureStage(counter, () => scheduler());
  const clusterPoints = await measureClusterSizes(faces, counter, clusterSizes, analyzer!.embedderId);
  // The clustered users above, and an empty one: one new photo each, assigned as detect does.
  const assignUsers = [{ userId: 'assign-bench-empty', faces: 0 }].concat(
    clusterSizes.map((n) => ({ userId: `cluster-bench-${n}`, faces: n })),
  );
  const assignPoints = await measureAssignSizes(faces, counter, assignUsers, analyzer!.embedderId);
  const presign = {
    single: await presignCpuMs(base.blobs, 1),
    batch: await presignCpuMs(base.blobs, UPLOAD_BATCH),
    batchSize: UPLOAD_BATCH,
  };
  await analyzer!.dispose();
  return {
    photos: photos.length,
    faces: nFaces,
    codec,
    threads,
    embedMode: embedInline ? 'inline' : 'queue',
    uploadBytes: photos.reduce((s, p) => s + p.bytes.byteLength, 0),
    detectInvocations: Math.ceil(records.length / 5),
    embedInvocations: Math.ceil(embedJobs.length / 10),
    embedMessages: embedJobs.length,
    coldStart,
    detect: detectM,
    embed: embedM,
    fanOut: fanOutM,
    clusterPoints,
    assignPoints,
    presign,
  };
}

// The emulators run in a child process: their CPU time is not the handlers' (bench/lib/emulator-host.ts).
const aws = await startEmulatorHost('bench');
try {
  const measures = await measurePipeline(aws);
  const priced = priceEverything(measures, FUNCTION_MEMORY_MB);
  process.stdout.write(renderCostReport(measures, priced, FUNCTION_MEMORY_MB) + '\n');
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(priced.json) + '\n');
} finally {
  await aws.stop();
}
