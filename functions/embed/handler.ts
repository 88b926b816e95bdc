import { performance } from 'node:perf_hooks';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { calibrationFor } from '#config/calibration.ts';
import { readEngineConfig } from '#config/engine.ts';
import { assignPhotoFaces } from '#core/pipeline/assign-new-faces.ts';
import type { SameCalibration } from '#core/pipeline/calibration.ts';
import { embedPhotoFaces, type PhotoAnalyzer } from '#core/pipeline/index.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import type { EmbedJob } from '../detect/handler.ts';
import { noMetrics, sqsBatchHandler } from '../shared/powertools.ts';
import { noIdempotency, type IdempotentRuns } from '../shared/idempotency.ts';
import { noTracing } from '../shared/tracing.ts';
import {
  idempotencyOf,
  lambdaRuntime,
  lazyHandler,
  USER_ID,
  type AwsRuntime,
  type LambdaHandler,
} from '../shared/runtime.ts';

export interface EmbedHandlerDeps extends AwsRuntime {
  readonly analyzer: Pick<PhotoAnalyzer, 'embedCrops'>;
  /** P(same) curves of the embedder: with them, new faces join known people at once (issue 12). */
  readonly calibration?: SameCalibration | undefined;
  /** Runs each embed job once (Powertools idempotency on DynamoDB); absent: every delivery runs. */
  readonly idempotency?: IdempotentRuns;
}

const parseJob = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

const isJob = (v: unknown): v is EmbedJob => {
  const j = v as Partial<EmbedJob> | null;
  return (
    typeof j?.userId === 'string' &&
    USER_ID.test(j.userId) &&
    typeof j.photoId === 'string' &&
    /^[0-9a-f]{1,64}$/.test(j.photoId)
  );
};

/** Triggered by the embed queue that detect writes to (one message per photo with faces): the
 * message is sent after the face records are committed, so the crops and records it needs exist. */
export function createEmbedHandler(deps: EmbedHandlerDeps): LambdaHandler<SQSEvent, SQSBatchResponse> {
  const { logger, metrics = noMetrics, tracing = noTracing, idempotency = noIdempotency } = deps;
  const embedJob = async ({ userId, photoId }: EmbedJob): Promise<{ faces: number; joinedKnownPeople: number }> => {
    const started = performance.now();
    const embedded = await tracing.span('embed', () => embedPhotoFaces(userId, photoId, deps));
    metrics.ms('embed', performance.now() - started);
    metrics.count('faces', embedded);
    const { calibration } = deps;
    const assigned = calibration ? await assignPhotoFaces(userId, photoId, { ...deps, calibration }) : undefined;
    return { faces: embedded, joinedKnownPeople: assigned?.joined.size ?? 0 };
  };
  return sqsBatchHandler(async (m) => {
    const job = parseJob(m.body);
    if (!isJob(job)) {
      logger.warn('message rejected: not an embed job', { messageId: m.messageId });
      metrics.count('rejected', 1);
      return; // retrying cannot fix it
    }
    tracing.annotate('userId', job.userId);
    // A redelivery of this job (same message id) replays the stored result instead of running the
    // embedder again. Not keyed by photo alone: the same key uploaded again is a new detection and
    // a new job, which must run.
    const key = `${job.userId}/${job.photoId}/${m.messageId}`;
    const done = await idempotency.once(key, () => embedJob(job));
    // Flagged on every delivery: the run that stored the result may have ended before this write.
    await deps.faces.markNeedsClustering(job.userId);
    logger.info('photo embedded', { ...job, ...done });
  }, deps);
}

export const handler = lazyHandler(async () => {
  const runtime = await lambdaRuntime('embed');
  const config = readEngineConfig();
  const analyzer = await createFaceAnalyzer(config);
  return createEmbedHandler({
    ...runtime,
    analyzer,
    calibration: calibrationFor(config.embedder),
    // Keys per embedder: after a model switch the same job embeds again (docs/people.md, migration).
    idempotency: idempotencyOf(runtime, `embed:${config.embedder}`),
  });
});
