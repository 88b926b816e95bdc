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
import { noTracing } from '../shared/tracing.ts';
import { lambdaRuntime, lazyHandler, USER_ID, type AwsRuntime } from '../shared/runtime.ts';

export interface EmbedHandlerDeps extends AwsRuntime {
  readonly analyzer: Pick<PhotoAnalyzer, 'embedCrops'>;
  /** P(same) curves of the embedder: with them, new faces join known people at once (issue 12). */
  readonly calibration?: SameCalibration | undefined;
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
export function createEmbedHandler(deps: EmbedHandlerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const { logger, metrics = noMetrics, tracing = noTracing } = deps;
  return sqsBatchHandler(async (m) => {
    const job = parseJob(m.body);
    if (!isJob(job)) {
      logger.warn('message rejected: not an embed job', { messageId: m.messageId });
      metrics.count('rejected', 1);
      return; // retrying cannot fix it
    }
    tracing.annotate('userId', job.userId);
    const started = performance.now();
    const embedded = await tracing.span('embed', () => embedPhotoFaces(job.userId, job.photoId, deps));
    metrics.ms('embed', performance.now() - started);
    metrics.count('faces', embedded);
    const { calibration } = deps;
    const assigned = calibration
      ? await assignPhotoFaces(job.userId, job.photoId, { ...deps, calibration })
      : undefined;
    await deps.faces.markNeedsClustering(job.userId);
    logger.info('photo embedded', { ...job, faces: embedded, joinedKnownPeople: assigned?.joined.size ?? 0 });
  }, deps);
}

export const handler = lazyHandler(async () => {
  const runtime = await lambdaRuntime('embed');
  const config = readEngineConfig();
  const analyzer = await createFaceAnalyzer(config);
  return createEmbedHandler({ ...runtime, analyzer, calibration: calibrationFor(config.embedder) });
});
