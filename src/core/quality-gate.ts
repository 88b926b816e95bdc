import type { FaceQuality } from '#core/types.ts';

/** The quality gate, apart from the signals that feed it (`#core/vision/quality.ts`, which reads
 * pixels): clustering, the API and the report only compare a stored score, and must not pull the
 * image code (and sharp) into the cluster and API Lambda bundles. */

/** Faces whose quality score is below this are not clustered (kept, listed as gated). */
export const QUALITY_GATE = 0.4;

/** The gate: faces stored before quality was scored have no score and pass. */
export function passesQualityGate(q: Pick<FaceQuality, 'score'> | undefined, gate = QUALITY_GATE): boolean {
  return q?.score === undefined || q.score >= gate;
}
