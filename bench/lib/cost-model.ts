/** Turns the cost benchmark's measurements into dollars per 1M photos. Every assumption that is
 * not a measurement is a named constant here and is printed under the table. */
import { ASSIGN_REPORT_SIZES, linearFit, type AssignPoint } from './cost-assign.ts';
import { powerLaw, type ClusterPoint } from './cost-cluster.ts';
import type { StageMeasure } from './cost-measure.ts';
import { MB_PER_VCPU, PLATFORM_LOG_BYTES_PER_INVOCATION, PRICE } from './cost-prices.ts';

export interface PipelineMeasures {
  readonly photos: number;
  readonly faces: number;
  readonly codec: string;
  /** ONNX Runtime intra-op threads the analyzer ran with (the stack's RANKFACE_THREADS). */
  readonly threads: number;
  /** 'inline': detect embeds in the same invocation (the stack); 'queue': detect → embed job. */
  readonly embedMode: 'inline' | 'queue';
  readonly uploadBytes: number;
  readonly detectInvocations: number;
  readonly embedInvocations: number;
  readonly embedMessages: number;
  readonly coldStart: StageMeasure;
  readonly detect: StageMeasure;
  readonly embed: StageMeasure;
  readonly fanOut: StageMeasure;
  readonly clusterPoints: readonly ClusterPoint[];
  /** Incremental assignment of one new photo into users of several library sizes. */
  readonly assignPoints: readonly AssignPoint[];
  /** CPU ms of presigning the tickets of one upload request: one photo, and a batch of `batchSize`. */
  readonly presign: { readonly single: number; readonly batch: number; readonly batchSize: number };
}

export type MemoryMb = Readonly<Record<'detect' | 'embed' | 'cluster' | 'clusterFanOut' | 'api', number>>;

// ---- assumptions (not measured here) ------------------------------------------------------------
/** Share of detect/embed invocations that start a new environment (init billed since Aug 2025). */
export const COLD_START_RATE = 0.02;
/** Round-trip latency a Lambda waits per request inside AWS (billed as duration, no CPU). */
const LATENCY_S = { ddb: 0.008, s3Get: 0.02, s3Put: 0.04, sqsSend: 0.015 };
/** Library model: a user's library of LIBRARY photos arrives in runs of BATCH photos; each run
 * re-clusters the whole library so far (what the scheduled cluster does today). */
export const LIBRARY = 1000;
export const BATCH = 100;
/** Monthly volume the fixed costs (schedule, queue polling) are spread over. */
export const PHOTOS_PER_MONTH = 1e6;
const SCHEDULE_RUNS_PER_MONTH = (30 * 24 * 60) / 5;
/** Lambda's SQS poller: ~5 long polls (20 s) in flight per queue while idle, 3 queues. */
const IDLE_POLL_REQUESTS_PER_MONTH = 3 * 5 * 3 * 60 * 24 * 30;
/** One API request that presigns uploads: REST API request + a 512 MB function for ~40 ms (assumed:
 * runtime, router, Powertools and one ticket's signing). A batch request (POST /uploads/batch) adds
 * the measured CPU of signing its other tickets. */
const API_MS_PER_REQUEST = 40;
/** Photos a client presigns per request through POST /uploads/batch (assumed: a folder or a
 * phone's camera roll uploaded in runs; the route takes up to 50). */
export const UPLOAD_BATCH = Number(process.env.RANKFACE_BENCH_UPLOAD_BATCH ?? 20);
/** Users above this many faces are clustered on Fargate (docs/scale.md): 2 vCPU, 8 GB. */
export const LAMBDA_CLUSTER_FACE_LIMIT = 150_000;
const FARGATE = { vcpu: 2, gb: 8 };
/** Share of photos whose assignment runs in a Lambda container that does not hold the user's
 * current exemplars (the store caches them per container until the next clustering run): a run
 * every BATCH photos, its photos spread over ~5 containers (assumed) → 5 cold reads per 100. A
 * store without the cache (before exemplars) has no warm reads: its warm point equals the cold. */
export const ASSIGN_COLD_SHARE = 0.05;

const vcpuShare = (mb: number): number => Math.min(1, mb / MB_PER_VCPU);
const ioSeconds = (m: StageMeasure, sqsSends = 0): number =>
  m.ddbRequests * LATENCY_S.ddb + m.s3Get * LATENCY_S.s3Get + m.s3Put * LATENCY_S.s3Put + sqsSends * LATENCY_S.sqsSend;
/** Billed seconds: the CPU work at the function's vCPU share, plus the waits on other services. */
export const billedSeconds = (cpuMs: number, io: number, mb: number): number => cpuMs / 1000 / vcpuShare(mb) + io;
const lambdaUsd = (seconds: number, mb: number, invocations: number): number =>
  seconds * (mb / 1024) * PRICE.lambdaGbSecondX86 + invocations * PRICE.lambdaRequest;
const ddbUsd = (m: { wru: number; rru: number }): number => m.wru * PRICE.ddbWriteUnit + m.rru * PRICE.ddbReadUnit;
const s3Usd = (m: { s3Put: number; s3Get: number }): number => m.s3Put * PRICE.s3Put + m.s3Get * PRICE.s3Get;
const logsUsd = (bytes: number): number => (bytes / 1e9) * (PRICE.logsIngestGb + PRICE.logsStorageGbMonth);

export interface CostRow {
  readonly stage: string;
  readonly lambda: number;
  readonly ddb: number;
  readonly s3: number;
  readonly sqs: number;
  readonly other: number;
  readonly note: string;
}
const total = (r: CostRow): number => r.lambda + r.ddb + r.s3 + r.sqs + r.other;

/** One measured stage over all its photos (dollars for `m.photos` photos, not yet per 1M). */
function stageRow(stage: 'detect' | 'embed', m: PipelineMeasures, mem: MemoryMb): CostRow {
  const s = m[stage];
  const invocations = stage === 'detect' ? m.detectInvocations : m.embedInvocations;
  const messages = stage === 'detect' ? m.photos : m.embedMessages;
  const batch = stage === 'detect' ? 5 : 10;
  const sends = stage === 'detect' ? m.embedMessages : 0;
  const seconds = billedSeconds(s.cpuMs, ioSeconds(s, sends), mem[stage]);
  const cold = COLD_START_RATE * invocations * billedSeconds(m.coldStart.cpuMs, 0, mem[stage]);
  return {
    stage,
    lambda: lambdaUsd(seconds + cold, mem[stage], invocations),
    ddb: ddbUsd(s),
    s3: s3Usd(s),
    // One send per message (S3 or detect), one receive and one delete-batch per delivered batch.
    sqs: (messages + (2 * messages) / batch) * PRICE.sqsRequest,
    other: logsUsd(s.logBytes + invocations * PLATFORM_LOG_BYTES_PER_INVOCATION),
    note: `${(s.cpuMs / m.photos).toFixed(0)} ms CPU/photo, ${((seconds / m.photos) * 1000).toFixed(0)} ms billed at ${mem[stage]} MB, peak RSS ${s.peakRssMb.toFixed(0)} MB`,
  };
}

/** Billed API Lambda seconds and requests for `photos` uploads presigned `perRequest` at a time. */
function presignLambda(m: PipelineMeasures, mem: MemoryMb, perRequest: number): { seconds: number; requests: number } {
  const requests = m.photos / perRequest;
  const extraCpuMs =
    perRequest > 1
      ? Math.max(0, m.presign.batch - m.presign.single) * ((perRequest - 1) / (m.presign.batchSize - 1))
      : 0;
  return { seconds: (requests * (API_MS_PER_REQUEST + extraCpuMs / vcpuShare(mem.api))) / 1000, requests };
}

function uploadRow(m: PipelineMeasures, mem: MemoryMb): CostRow {
  const { seconds, requests } = presignLambda(m, mem, UPLOAD_BATCH);
  return {
    stage: 'upload (presign API + PUT)',
    lambda: lambdaUsd(seconds, mem.api, requests),
    ddb: 0,
    s3: m.photos * PRICE.s3Put,
    sqs: 0,
    other: requests * PRICE.apiGatewayRestRequest + logsUsd(requests * (PLATFORM_LOG_BYTES_PER_INVOCATION + 300)),
    note: `POST /uploads/batch, ${UPLOAD_BATCH} photos per request (assumed): REST API request + ${API_MS_PER_REQUEST} ms at ${mem.api} MB (assumed) + measured signing of the other ${UPLOAD_BATCH - 1} (${(m.presign.batch - m.presign.single).toFixed(1)} ms CPU), spread over its photos; + the S3 PUT`,
  };
}

/** The same uploads one request per photo (POST /uploads): printed beside the table. */
function singleUploadUsd(m: PipelineMeasures, mem: MemoryMb): number {
  const { seconds, requests } = presignLambda(m, mem, 1);
  return (
    lambdaUsd(seconds, mem.api, requests) +
    m.photos * PRICE.s3Put +
    requests * PRICE.apiGatewayRestRequest +
    logsUsd(requests * (PLATFORM_LOG_BYTES_PER_INVOCATION + 300))
  );
}

/** One month of the derived data: crops in S3, items in DynamoDB (WRU × 1 KB: an upper bound). */
function storageRow(m: PipelineMeasures): CostRow {
  const cropGb = m.detect.s3PutBytes / 1e9;
  const itemGb = ((m.detect.wru + m.embed.wru) * 1024) / 1e9;
  return {
    stage: 'storage, 1 month (crops, items)',
    lambda: 0,
    ddb: itemGb * PRICE.ddbStorageGbMonth,
    s3: cropGb * PRICE.s3StorageGbMonth,
    sqs: 0,
    other: 0,
    note: `crops ${(m.detect.s3PutBytes / m.photos / 1024).toFixed(1)} KB/photo; originals (${(m.uploadBytes / m.photos / 1e6).toFixed(1)} MB/photo here) are the user's library, priced apart`,
  };
}

/** Fixed monthly costs (schedule fan-out, idle queue polling), for `m.photos` of PHOTOS_PER_MONTH. */
function fixedRow(m: PipelineMeasures, mem: MemoryMb): CostRow {
  const share = m.photos / PHOTOS_PER_MONTH;
  const fanOut = SCHEDULE_RUNS_PER_MONTH * billedSeconds(m.fanOut.cpuMs, ioSeconds(m.fanOut), mem.clusterFanOut);
  return {
    stage: 'schedule fan-out + queue polling',
    lambda: share * lambdaUsd(fanOut, mem.clusterFanOut, SCHEDULE_RUNS_PER_MONTH),
    ddb: share * SCHEDULE_RUNS_PER_MONTH * ddbUsd(m.fanOut),
    s3: 0,
    sqs: share * IDLE_POLL_REQUESTS_PER_MONTH * PRICE.sqsRequest,
    other: share * logsUsd(SCHEDULE_RUNS_PER_MONTH * (PLATFORM_LOG_BYTES_PER_INVOCATION + m.fanOut.logBytes)),
    note: `every 5 min (${SCHEDULE_RUNS_PER_MONTH}/month) + Lambda's idle SQS long polls, spread over ${PHOTOS_PER_MONTH.toExponential(0)} photos/month`,
  };
}

export interface ClusterModel {
  readonly cpuMs: (faces: number) => number;
  readonly runUsd: (faces: number) => number;
  readonly rssMb: (faces: number) => number;
  readonly exponent: number;
}

export function clusterModel(points: readonly ClusterPoint[], mem: MemoryMb): ClusterModel {
  const fit = (y: (p: ClusterPoint) => number) => powerLaw(points.map((p) => ({ n: p.faces, y: y(p) })));
  const cpu = fit((p) => p.cpuMs);
  const rru = fit((p) => p.rru);
  const wru = fit((p) => p.wru);
  const requests = fit((p) => p.ddbRequests);
  const rss = fit((p) => p.peakRssMb);
  const runUsd = (n: number): number => {
    const ddb = rru.at(n) * PRICE.ddbReadUnit + wru.at(n) * PRICE.ddbWriteUnit;
    const io = requests.at(n) * LATENCY_S.ddb;
    if (n > LAMBDA_CLUSTER_FACE_LIMIT) {
      const hours = (cpu.at(n) / 1000 + io) / 3600; // no multi-core speed-up assumed
      return hours * (FARGATE.vcpu * PRICE.fargateVcpuHour + FARGATE.gb * PRICE.fargateGbHour) + ddb;
    }
    return (
      lambdaUsd(billedSeconds(cpu.at(n), io, mem.cluster), mem.cluster, 1) +
      ddb +
      3 * PRICE.sqsRequest +
      logsUsd(PLATFORM_LOG_BYTES_PER_INVOCATION + 400)
    );
  };
  return { cpuMs: cpu.at, runUsd, rssMb: rss.at, exponent: cpu.b };
}

function clusterRow(m: PipelineMeasures, model: ClusterModel): CostRow {
  const fpp = m.faces / m.photos;
  let usd = 0;
  for (let k = 1; k <= LIBRARY / BATCH; k++) usd += model.runUsd(k * BATCH * fpp);
  return {
    stage: 'cluster',
    lambda: (usd / LIBRARY) * m.photos,
    ddb: 0,
    s3: 0,
    sqs: 0,
    other: 0,
    note: `${LIBRARY / BATCH} runs per ${LIBRARY}-photo library (${BATCH} photos per run), each over the library so far; fitted CPU ∝ faces^${model.exponent.toFixed(2)}`,
  };
}

export interface AssignModel {
  /** Dollars of one photo's assignment into a library of `faces` faces (DynamoDB reads, the join's
   * person write, Lambda time). */
  readonly photoUsd: (faces: number) => number;
  /** The Lambda-time part of photoUsd. */
  readonly lambdaUsd: (faces: number) => number;
  readonly rru: (faces: number) => number;
}

/** Lines fitted to the measured assignments: reads, requests and CPU against library faces. */
export function assignModel(points: readonly AssignPoint[], mem: MemoryMb): AssignModel {
  const fit = (y: (p: AssignPoint) => number) => linearFit(points.map((p) => ({ n: p.faces, y: y(p) })));
  const mix = (y: (s: StageMeasure) => number) => {
    const cold = fit(y);
    const warm = fit((p) => y(p.warm));
    return (n: number): number => ASSIGN_COLD_SHARE * cold.at(n) + (1 - ASSIGN_COLD_SHARE) * warm.at(n);
  };
  const rru = mix((s) => s.rru);
  const wru = mix((s) => s.wru);
  const requests = mix((s) => s.ddbRequests);
  const cpu = mix((s) => s.cpuMs);
  const lambda = (n: number): number =>
    lambdaUsd(billedSeconds(cpu(n), requests(n) * LATENCY_S.ddb, mem.detect), mem.detect, 0);
  return {
    photoUsd: (n) => rru(n) * PRICE.ddbReadUnit + wru(n) * PRICE.ddbWriteUnit + lambda(n),
    lambdaUsd: lambda,
    rru,
  };
}

/** Every photo of a LIBRARY-photo library is assigned into the library so far (same library model
 * as the cluster row). The detect stage's own measurement holds the assignment into the bench
 * user's small library (its few dozen faces), counted there too: a small overlap. */
function assignRow(m: PipelineMeasures, model: AssignModel): CostRow {
  const fpp = m.faces / m.photos;
  let usd = 0;
  let lambda = 0;
  for (let i = 0; i < LIBRARY; i++) {
    usd += model.photoUsd(i * fpp);
    lambda += model.lambdaUsd(i * fpp);
  }
  const at = (n: number): string => `${model.rru(n).toFixed(0)} RRU at ${n / 1000}K faces`;
  return {
    stage: 'incremental assignment',
    lambda: (lambda / LIBRARY) * m.photos,
    ddb: ((usd - lambda) / LIBRARY) * m.photos,
    s3: 0,
    sqs: 0,
    other: 0,
    note: `each photo of a ${LIBRARY}-photo library assigned into the library so far (reads, the join's person write, Lambda time); per photo ${[1_000, 10_000, 100_000].map(at).join(', ')}`,
  };
}

export interface PricedPipeline {
  readonly rows: CostRow[];
  readonly perMillion: number;
  readonly nightly100k: { faces: number; usd: number; route: string; cpuSeconds: number; rssMb: number };
  readonly json: Record<string, unknown>;
  readonly assign: AssignModel;
}

export function priceEverything(m: PipelineMeasures, mem: MemoryMb): PricedPipeline {
  const model = clusterModel(m.clusterPoints, mem);
  const assign = assignModel(m.assignPoints, mem);
  const rows = [
    stageRow('detect', m, mem),
    stageRow('embed', m, mem),
    uploadRow(m, mem),
    clusterRow(m, model),
    assignRow(m, assign),
    storageRow(m),
    fixedRow(m, mem),
  ];
  const perMillion = (rows.reduce((s, r) => s + total(r), 0) / m.photos) * 1e6;
  const faces = Math.round(100_000 * (m.faces / m.photos));
  const nightly100k = {
    faces,
    usd: model.runUsd(faces),
    route: faces > LAMBDA_CLUSTER_FACE_LIMIT ? 'Fargate' : 'Lambda',
    cpuSeconds: model.cpuMs(faces) / 1000,
    rssMb: model.rssMb(faces),
  };
  const perM = (x: number): number => Number(((x / m.photos) * 1e6).toFixed(2));
  const json = {
    usd_per_million_photos: Number(perMillion.toFixed(2)),
    stages: Object.fromEntries(
      rows.map((r) => [
        r.stage,
        {
          total: perM(total(r)),
          lambda: perM(r.lambda),
          dynamodb: perM(r.ddb),
          s3: perM(r.s3),
          sqs: perM(r.sqs),
          other: perM(r.other),
        },
      ]),
    ),
    photos: m.photos,
    faces: m.faces,
    vector_codec: m.codec,
    onnx_threads: m.threads,
    embed: m.embedMode,
    memory_mb: mem,
    nightly_recluster_100k_photos: { ...nightly100k, usd: Number(nightly100k.usd.toFixed(4)) },
    cluster_points: m.clusterPoints.map((p) => ({
      faces: p.faces,
      cpu_ms: Math.round(p.cpuMs),
      wall_ms: Math.round(p.wallMs),
      rru: p.rru,
      wru: p.wru,
      peak_rss_mb: Math.round(p.peakRssMb),
    })),
    assign_points: m.assignPoints.map((p) => ({
      faces: p.faces,
      people: p.people,
      rru: p.rru,
      ddb_requests: p.ddbRequests,
      cpu_ms: Math.round(p.cpuMs),
      wru: p.wru,
      warm: { rru: p.warm.rru, wru: p.warm.wru, ddb_requests: p.warm.ddbRequests, cpu_ms: Math.round(p.warm.cpuMs) },
    })),
    assign_cold_share: ASSIGN_COLD_SHARE,
    assign_per_photo: Object.fromEntries(
      ASSIGN_REPORT_SIZES.map((n) => [
        n,
        {
          rru: Number(assign.rru(n).toFixed(1)),
          usd_per_million_photos: Number((assign.photoUsd(n) * 1e6).toFixed(2)),
        },
      ]),
    ),
    cold_start_cpu_ms: Math.round(m.coldStart.cpuMs),
    cold_start_rate: COLD_START_RATE,
    upload_single_route_usd_per_million: perM(singleUploadUsd(m, mem)),
    upload_batch: UPLOAD_BATCH,
    presign_cpu_ms: {
      single: Number(m.presign.single.toFixed(2)),
      batch: Number(m.presign.batch.toFixed(2)),
      batch_size: m.presign.batchSize,
    },
    detect_per_photo: {
      wru: Number((m.detect.wru / m.photos).toFixed(2)),
      wru_by_command: Object.fromEntries(
        Object.entries(m.detect.wruByCommand).map(([c, u]) => [c, Number((u / m.photos).toFixed(2))]),
      ),
      s3_puts: Number((m.detect.s3Put / m.photos).toFixed(2)),
      cpu_ms: Math.round(m.detect.cpuMs / m.photos),
    },
  };
  return { rows, perMillion, nightly100k, json, assign };
}

export function renderCostReport(m: PipelineMeasures, priced: PricedPipeline, mem: MemoryMb): string {
  const usd = (x: number): string => `$${((x / m.photos) * 1e6).toFixed(2)}`;
  const n = priced.nightly100k;
  return [
    `rankface serverless cost per 1M photos, measured on ${m.photos} 12 MP photos (${m.faces} faces, ${(m.faces / m.photos).toFixed(2)} per photo) against local emulators (in their own process: their CPU is not the handlers'); vectors ${m.codec}; ONNX Runtime threads ${m.threads}; embedding ${m.embedMode === 'inline' ? 'inline in the detect invocation (the stack)' : 'in its own stage (detect → embed queue)'}`,
    '',
    '| stage | Lambda | DynamoDB | S3 | SQS | logs, API, other | total per 1M photos | measured |',
    '|---|---|---|---|---|---|---|---|',
    ...priced.rows.map(
      (r) =>
        `| ${r.stage} | ${usd(r.lambda)} | ${usd(r.ddb)} | ${usd(r.s3)} | ${usd(r.sqs)} | ${usd(r.other)} | ${usd(total(r))} | ${r.note} |`,
    ),
    `| **all** | | | | | | **$${priced.perMillion.toFixed(2)}** | |`,
    '',
    '| cluster run (measured) | faces | CPU ms | wall ms | RRU | WRU | peak RSS MB |',
    '|---|---|---|---|---|---|---|',
    ...m.clusterPoints.map(
      (p) =>
        `| | ${p.faces} | ${p.cpuMs.toFixed(0)} | ${p.wallMs.toFixed(0)} | ${p.rru.toFixed(0)} | ${p.wru.toFixed(0)} | ${p.peakRssMb.toFixed(0)} |`,
    ),
    '',
    '| assignment of one new photo (measured) | library faces | people | RRU cold / warm | WRU cold / warm | DynamoDB requests cold / warm | CPU ms cold / warm |',
    '|---|---|---|---|---|---|---|',
    ...m.assignPoints.map(
      (p) =>
        `| | ${p.faces} | ${p.people} | ${p.rru.toFixed(1)} / ${p.warm.rru.toFixed(1)} | ${p.wru.toFixed(1)} / ${p.warm.wru.toFixed(1)} | ${p.ddbRequests} / ${p.warm.ddbRequests} | ${p.cpuMs.toFixed(0)} / ${p.warm.cpuMs.toFixed(0)} |`,
    ),
    '',
    `| every photo uploaded into a library of | RRU per photo (fitted lines, ${ASSIGN_COLD_SHARE * 100}% cold) | $ per 1M photos (reads, join writes, Lambda time) |`,
    '|---|---|---|',
    ...ASSIGN_REPORT_SIZES.map(
      (n) => `| ${n} faces | ${priced.assign.rru(n).toFixed(1)} | $${(priced.assign.photoUsd(n) * 1e6).toFixed(2)} |`,
    ),
    '',
    `DynamoDB write units per photo, detect stage, by request: ${Object.entries(m.detect.wruByCommand)
      .map(([c, u]) => `${c} ${(u / m.photos).toFixed(2)}`)
      .join(
        ', ',
      )} (total ${(m.detect.wru / m.photos).toFixed(2)}); S3: ${(m.detect.s3Put / m.photos).toFixed(2)} PUTs per photo, ${(m.detect.s3PutBytes / m.photos / 1024).toFixed(1)} KB of crops per photo.`,
    '',
    `Nightly re-cluster of a 100K-photo user (${n.faces} faces at this mix): $${n.usd.toFixed(4)} per run on ${n.route} (fitted: ${n.cpuSeconds.toFixed(0)} s CPU, ~${n.rssMb.toFixed(0)} MB RSS); $${(n.usd * 30).toFixed(2)} per month.`,
    '',
    'Assumptions (measured values are in the table; these are not):',
    `- Lambda x86_64 $${PRICE.lambdaGbSecondX86}/GB-s, memory ${JSON.stringify(mem)} MB (infra/function-sizes.ts). Billed time = measured CPU time of the handler / vCPU share (1 vCPU at ${MB_PER_VCPU} MB; ONNX threads assumed to gain nothing on one vCPU) + ${LATENCY_S.ddb * 1000} ms per DynamoDB request, ${LATENCY_S.s3Get * 1000}/${LATENCY_S.s3Put * 1000} ms per S3 GET/PUT, ${LATENCY_S.sqsSend * 1000} ms per SQS send. CPU time, not this shared machine's wall time (which varies with other load): both are in the JSON.`,
    `- arm64 ($${PRICE.lambdaGbSecondArm}/GB-s, 20% less) is not priced: it cannot be measured on this x86_64 machine (no arm64 CPU or emulator), and ONNX Runtime's x86 and arm kernels differ in speed.`,
    `- Cold starts: ${COLD_START_RATE * 100}% of detect/embed invocations, each billed the measured model-load CPU (${m.coldStart.cpuMs.toFixed(0)} ms).`,
    `- Batches as the stack delivers them (detect 5, embed 10 messages); SQS: one send per message, one receive + one delete per batch, plus idle long polling.`,
    `- DynamoDB on-demand $0.625/1M WRU, $0.125/1M RRU, units as DynamoDB Local reports them; S3 $0.005/1k PUT, $0.0004/1k GET; CloudWatch Logs $0.50/GB ingested + $0.03/GB-month: the handlers' own log lines (measured bytes) + ${PLATFORM_LOG_BYTES_PER_INVOCATION} bytes of platform lines per invocation.`,
    `- Upload: one REST API request ($3.50/1M) per ${UPLOAD_BATCH} photos (POST /uploads/batch); a client that presigns one photo per request (POST /uploads) pays ${usd(singleUploadUsd(m, mem))} per 1M photos for the upload row instead, ${usd(singleUploadUsd(m, mem) - total(priced.rows.find((r) => r.stage.startsWith('upload'))!))} more. Browsing the API is user activity, not per-photo cost, and is not included. Originals' storage ($${PRICE.s3StorageGbMonth}/GB-month) is the user's library, not the pipeline's: ${usd((m.uploadBytes / 1e9) * PRICE.s3StorageGbMonth)} per month per 1M photos of this size.`,
    `- Clustering: libraries of ${LIBRARY} photos arriving ${BATCH} per run, each run re-clustering the library so far, priced from a power law fitted to the measured runs above (synthetic 512-D faces in DynamoDB Local); users above ${LAMBDA_CLUSTER_FACE_LIMIT} faces on Fargate (${FARGATE.vcpu} vCPU, ${FARGATE.gb} GB).`,
  ].join('\n');
}
