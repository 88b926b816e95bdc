import type { Box, FaceQuality } from '#core/types.ts';

/** Where the evidence says "not a face" (measured on the dev sets, docs/clustering.md#face-quality):
 * ULFD's false positives on clothing and background are tall boxes (height ≥ 1.8 x width) with a
 * middling score, on which the landmark model's points do not form a face inside the box or the
 * crop is flat (a dark sleeve). Real faces with tall boxes (ULFD often boxes the neck too) score
 * ≥ 0.9 on the dev sets, so each rule needs a low score or a landmark set that fits no face at all. */
export const FALSE_DETECTION_RULES = {
  minAspect: 1.8,
  maxScore: 0.9,
  maxPlausibility: 0.5,
  maxSharpness: 15,
  /** Boxes this tall whose landmarks fit no face (plausibility below `noFace`) go whatever the score. */
  extremeAspect: 2.5,
  noFace: 0.05,
} as const;

export interface DetectedFaceEvidence {
  readonly box: Box;
  readonly score: number;
  readonly quality: FaceQuality;
}

/** True when a detection is better dropped than kept as a face. */
export function isFalseDetection(face: DetectedFaceEvidence, rules = FALSE_DETECTION_RULES): boolean {
  const aspect = face.box[3] / Math.max(1e-6, face.box[2]);
  const plausibility = face.quality.plausibility ?? 1;
  const weak =
    face.score < rules.maxScore &&
    aspect >= rules.minAspect &&
    (plausibility < rules.maxPlausibility || face.quality.sharpness < rules.maxSharpness);
  const noFace = aspect >= rules.extremeAspect && plausibility < rules.noFace;
  return weak || noFace;
}

/** The detections that are faces (order kept). */
export function dropFalseDetections<T extends DetectedFaceEvidence>(faces: readonly T[]): T[] {
  return faces.filter((f) => !isFalseDetection(f));
}
