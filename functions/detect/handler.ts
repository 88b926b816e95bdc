import type { S3EventRecord, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { performance } from 'node:perf_hooks';
import { calibrationFor } from '#config/calibration.ts';
import { readEngineConfig } from '#config/engine.ts';
import { assignPhotoFaces } from '#core/pipeline/assign-new-faces.ts';
import type { SameCalibration } from '#core/pipeline/calibration.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { WorkQueue } from '#core/ports/work-queue.ts';
import { RankfaceError } from '#core/errors.ts';
import {
  detectPhoto,
  processPhoto,
  recordPhotoFailure,
  removePhoto,
  sha256Hex,
  type PhotoAnalyzer,
  type StoreDeps,
} from '#core/pipeline/index.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import { noMetrics, sqsBatchHandler } from '../shared/powertools.ts';
import { noIdempotency, type IdempotentRuns } from '../shared/idempotency.ts';
import { noTracing } from '../shared/tracing.ts';
import {
  lambdaRuntime,
  decodeS3Key,
  idempotencyOf,
  lazyHandler,
  OWNER_METADATA,
  parseUploadKey,
  sqsQueue,
  type AwsRuntime,
  type LambdaHandler,
  type UploadKey,
} from '../shared/runtime.ts';

export interface DetectHandlerDeps extends AwsRuntime {
  readonly analyzer: PhotoAnalyzer;
  /** The embed stage's queue: one `{ userId, photoId }` message per detected photo. */
  readonly embedQueue: WorkQueue;
  /** Embed in this invocation (one pass: no crop read-back, no embed job, no second Lambda)
   * instead of queueing an embed job. bench:cost measures both (docs/benchmarks.md). */
  readonly embedInline?: boolean;
  /** With inline embedding: P(same) curves, so new faces join known people at once as the embed
   * stage does (issue 12, the same core use case). */
  readonly calibration?: SameCalibration | undefined;
  /** Runs each S3 event once (Powertools idempotency on DynamoDB); absent: every delivery runs. */
  readonly idempotency?: IdempotentRuns;
}

/** Message to the embed stage. */
export interface EmbedJob {
  readonly userId: string;
  readonly photoId: string;
}

type Outcome = 'detected' | 'error' | 'removed' | 'skipped' | 'rejected';
/** What one S3 event did (stored as the event's idempotency record: JSON). */
type Handled = { outcome: Outcome; userId?: string };
/** Outcomes after which the user's people need recomputing. */
const CHANGED: ReadonlySet<Outcome> = new Set(['detected', 'error', 'removed']);

/** The identity of one S3 event, the same on every delivery of it: bucket, key, the version it
 * created or removed and S3's per-key sequencer. A new upload of the same key (even with the same
 * bytes) is a new event. Without a version or sequencer (hand-made events) there is no key, and the
 * event runs on the core's checks alone. */
export function s3EventIdempotencyKey(r: S3EventRecord): string | undefined {
  const object = r.s3?.object;
  const version = object?.versionId ?? '';
  const sequencer = object?.sequencer === undefined ? '' : String(object.sequencer);
  if (!version && !sequencer) return undefined;
  const kind = r.eventName?.split(':')[0] ?? '';
  return `${kind}:${r.s3?.bucket?.name}/${object?.key}:${version}:${sequencer}`;
}

/** The key an event names, or undefined when its percent-encoding is malformed: such a key cannot
 * name an upload, and retrying cannot fix it (not a poison message). */
function keyOf(r: S3EventRecord, logger: Logger): string | undefined {
  try {
    return decodeS3Key(r.s3?.object?.key ?? '');
  } catch {
    logger.warn('event rejected: malformed key encoding', { rawKey: r.s3?.object?.key });
    return undefined;
  }
}

/** The upload an event names, or undefined (logged) when it cannot name one of this bucket. */
function uploadOf(r: S3EventRecord, ownBucket: string, logger: Logger): UploadKey | undefined {
  const bucket = r.s3?.bucket?.name;
  const key = keyOf(r, logger);
  if (key === undefined) return undefined;
  if (bucket !== ownBucket) {
    logger.warn('event rejected: foreign bucket', { bucket, key });
    return undefined;
  }
  const upload = parseUploadKey(key);
  if ('reject' in upload) {
    logger.warn('event rejected: bad key layout', { key, reason: upload.reject });
    return undefined;
  }
  return upload;
}

/** S3 notifications arrive wrapped in SQS messages (S3 → SQS → Lambda). Each message holds one S3
 * event (or the s3:TestEvent sent when the notification is configured). */
export function createDetectHandler(deps: DetectHandlerDeps): LambdaHandler<SQSEvent, SQSBatchResponse> {
  const { logger, idempotency = noIdempotency } = deps;
  /** Users whose faces this batch changed: flagged once each after it (one META write per user per
   * batch instead of one per photo). */
  const toMark = new Set<string>();
  // One crop sheet per photo (one S3 PUT), not one object per face: docs/benchmarks.md, cost.
  const store: StoreDeps = { blobs: deps.blobs, faces: deps.faces, clock: deps.clock, logger, cropLayout: 'sheet' };

  async function onRecord(r: S3EventRecord): Promise<Handled> {
    const upload = uploadOf(r, deps.blobs.bucket, logger);
    if (!upload) return { outcome: 'rejected' };
    deps.tracing?.annotate('userId', upload.userId);
    const { userId } = upload;
    if (r.eventName.startsWith('ObjectRemoved')) return { outcome: await onRemoved(upload), userId };
    if (!r.eventName.startsWith('ObjectCreated')) return { outcome: 'skipped', userId };
    return { outcome: await onCreated(deps, store, toMark, upload), userId };
  }

  /** Events are unordered: a removal that arrives after the key was uploaded again must not delete
   * the new photo's records. The key is checked now, as the create path does. */
  async function onRemoved({ userId, photoId, key }: UploadKey): Promise<Outcome> {
    if (await deps.blobs.head(key)) {
      logger.info('late removal ignored: the key holds an object again', { userId, key });
      return 'skipped';
    }
    // A photo never recorded (or its account erased): nothing to remove, no clustering to ask for
    // (asking would recreate the erased user's marker item).
    if (!(await deps.faces.getPhoto(userId, photoId))) return 'skipped';
    await removePhoto(userId, photoId, store);
    toMark.add(userId);
    return 'removed';
  }

  async function onMessage(m: SQSRecord): Promise<void> {
    let body: { Records?: S3EventRecord[]; Event?: string };
    try {
      body = JSON.parse(m.body) as typeof body;
    } catch {
      logger.warn('message rejected: body is not JSON', { messageId: m.messageId });
      return; // retrying cannot fix it
    }
    if (body.Event === 's3:TestEvent') return;
    for (const r of body.Records ?? []) {
      const key = s3EventIdempotencyKey(r);
      const { outcome, userId } = key ? await idempotency.once(key, () => onRecord(r)) : await onRecord(r);
      // A replayed outcome skipped the work, not the flag: the run that recorded it may have ended
      // before its batch flagged the user.
      if (userId && CHANGED.has(outcome)) toMark.add(userId);
      logger.info('s3 event handled', { messageId: m.messageId, eventName: r.eventName, outcome });
    }
  }

  return flaggingAfterBatch(sqsBatchHandler(onMessage, deps), toMark, deps.faces);
}

/** An upload: checked (still there, its owner, its size), skipped when its content was already
 * processed, then detected (and embedded inline, or queued for the embed stage). Users whose faces
 * changed go into `toMark`. */
async function onCreated(
  deps: DetectHandlerDeps,
  store: StoreDeps,
  toMark: Set<string>,
  { userId, photoId, key }: UploadKey,
): Promise<Outcome> {
  const { logger, metrics = noMetrics } = deps;
  // Events are at-least-once and unordered: look at what the key holds now, size and owner
  // first (HEAD), before any byte is read. Gone means a later delete already ran (or will).
  const head = await deps.blobs.head(key);
  if (!head) {
    logger.info('object gone before detection', { userId, key });
    return 'skipped';
  }
  // Uploads through the API's presigned URL carry the uploader's sub; a mismatch means the object
  // was placed under someone else's prefix by other means.
  const owner = head.metadata[OWNER_METADATA];
  if (owner !== undefined && owner !== userId) {
    logger.warn('event rejected: owner metadata does not match the key', { key, owner, userId });
    return 'rejected';
  }
  if (head.size > deps.config.maxUploadBytes) {
    const err = new RankfaceError('too-large', `object is ${head.size} bytes, limit is ${deps.config.maxUploadBytes}`);
    await recordPhotoFailure({ userId, photoId, sourceKey: key, bytes: new Uint8Array(), idFromKey: true }, err, store);
    toMark.add(userId);
    metrics.error(err.code);
    return 'error';
  }
  const object = await deps.blobs.getObject(key);
  if (!object) return 'skipped';
  // A redelivered event for content already fully processed: nothing would change, skip the
  // model run (the result would be identical, see the duplicate-delivery test).
  const previous = await deps.faces.getPhoto(userId, photoId);
  if (previous?.status === 'embedded' && previous.contentHash === sha256Hex(object.bytes)) {
    logger.info('already processed', { userId, photoId });
    // The earlier delivery may have ended before its user was flagged: flag again.
    toMark.add(userId);
    return 'skipped';
  }
  const started = performance.now();
  const input = { userId, photoId, sourceKey: key, bytes: object.bytes, idFromKey: true };
  const run = deps.embedInline ? processPhoto : detectPhoto;
  const outcome = await (deps.tracing ?? noTracing).span('detect', () =>
    run(input, { ...store, analyzer: deps.analyzer }),
  );
  metrics.ms('detect', performance.now() - started);
  if (outcome.status === 'error') {
    metrics.error(outcome.error?.code ?? 'error');
    // Its faces (if an earlier version had any) are gone: people need recomputing.
    toMark.add(userId);
    return 'error';
  }
  metrics.count('photos', 1);
  metrics.count('faces', outcome.faceIds.length);
  if (outcome.faceIds.length > 0 && !deps.embedInline)
    await deps.embedQueue.send([{ userId, photoId } satisfies EmbedJob]);
  else {
    const { calibration } = deps;
    if (calibration && outcome.faceIds.length > 0) await assignPhotoFaces(userId, photoId, { ...deps, calibration });
    toMark.add(userId);
  }
  return 'detected';
}

/** Flags the users a batch changed for clustering after its last record. A failure here fails the
 * invocation and every message comes back; the redelivered photos are found already processed and
 * flag their users again. */
function flaggingAfterBatch(
  batch: LambdaHandler<SQSEvent, SQSBatchResponse>,
  toMark: Set<string>,
  faces: DetectHandlerDeps['faces'],
): LambdaHandler<SQSEvent, SQSBatchResponse> {
  return async (event, context) => {
    toMark.clear();
    const out = await batch(event, context);
    for (const userId of toMark) await faces.markNeedsClustering(userId);
    toMark.clear();
    return out;
  };
}

export const handler = lazyHandler(async () => {
  const runtime = await lambdaRuntime('detect');
  const config = readEngineConfig();
  const analyzer = await createFaceAnalyzer(config);
  return createDetectHandler({
    ...runtime,
    analyzer,
    embedQueue: sqsQueue(runtime.config, 'embedQueueUrl', runtime.tracing),
    embedInline: runtime.config.embedInline,
    calibration: calibrationFor(config.embedder),
    idempotency: idempotencyOf(runtime, 'detect'),
  });
});
