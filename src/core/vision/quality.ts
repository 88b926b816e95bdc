import type { Box, FaceQuality, FivePoints, Point, RgbImage } from '#core/types.ts';
import { ARCFACE_112_TEMPLATE, applyAffine, invertAffine, similarityTransform } from '#core/vision/align.ts';
import { toGrey } from '#core/vision/image-ops.ts';
// The gate itself lives in #core/quality-gate.ts (no image code): re-exported for the engine's callers.
export { passesQualityGate, QUALITY_GATE } from '#core/quality-gate.ts';

/** Variance of the 4-neighbour Laplacian of the grey image: blur lowers it. */
export function laplacianVariance(image: RgbImage): number {
  const g = toGrey(image);
  const w = image.width,
    h = image.height;
  let sum = 0,
    sumSq = 0,
    n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = g[i - 1] + g[i + 1] + g[i - w] + g[i + w] - 4 * g[i];
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

const deg = (r: number): number => (r * 180) / Math.PI;

/** Rough head pose from 5 landmarks. Roll: angle of the eye line. After undoing roll: yaw from how
 * far the nose sits off the eyes' and mouth's midline (relative to half the eye distance), pitch from where the
 * nose sits between the eye line and the mouth line (frontal ≈ 0.5; higher nose = looking up).
 * Good enough to rank faces for a cover photo or to flag profiles, not a 3-D pose. */
export function poseFromLandmarks(p: FivePoints): { yaw: number; pitch: number; roll: number } {
  const [le, re, nose, lm, rm] = p;
  const roll = Math.atan2(re[1] - le[1], re[0] - le[0]);
  const cos = Math.cos(-roll),
    sin = Math.sin(-roll);
  const rot = (q: readonly [number, number]): [number, number] => [q[0] * cos - q[1] * sin, q[0] * sin + q[1] * cos];
  const [l, r, n, ml, mr] = [le, re, nose, lm, rm].map(rot);
  const eyeMid: [number, number] = [(l[0] + r[0]) / 2, (l[1] + r[1]) / 2];
  const mouthMid: [number, number] = [(ml[0] + mr[0]) / 2, (ml[1] + mr[1]) / 2];
  const halfIod = Math.max(1e-6, (r[0] - l[0]) / 2);
  // Seen from yaw θ, the half eye distance shrinks to w·cosθ and the nose tip (depth ≈ 0.9 w in
  // front of the eyes) moves sideways by 0.9 w·sinθ, so offset / half-distance ≈ 0.9 tanθ.
  const yawRatio = (n[0] - (eyeMid[0] + mouthMid[0]) / 2) / halfIod;
  const span = mouthMid[1] - eyeMid[1];
  const t = span !== 0 ? (n[1] - eyeMid[1]) / span : 0.5;
  // 0.495 is where the ArcFace template puts the nose between eyes and mouth.
  const pitchRatio = Math.max(-1, Math.min(1, (0.495 - t) * 2.5));
  return { yaw: deg(Math.atan(yawRatio / 0.9)), pitch: deg(Math.asin(pitchRatio)), roll: deg(roll) };
}

/** Eye distance in pixels. */
export function interOcularPx(p: FivePoints): number {
  return Math.hypot(p[1][0] - p[0][0], p[1][1] - p[0][1]);
}

/** Share of the face region that lies outside the photo. The face region is the aligned crop's
 * square (on the ArcFace template: forehead to chin, ear to ear) mapped back into the photo through
 * the landmarks, so a face cut by the border counts even when the detector's box was clipped. */
export function truncationOf(p: FivePoints, width: number, height: number): number {
  const toCrop = similarityTransform(p, ARCFACE_112_TEMPLATE.points);
  const toPhoto = invertAffine(toCrop);
  const size = ARCFACE_112_TEMPLATE.size;
  const steps = 16;
  let outside = 0;
  for (let i = 0; i < steps; i++) {
    for (let j = 0; j < steps; j++) {
      const q: Point = applyAffine(toPhoto, [((i + 0.5) * size) / steps, ((j + 0.5) * size) / steps]);
      if (q[0] < 0 || q[1] < 0 || q[0] >= width || q[1] >= height) outside++;
    }
  }
  return outside / (steps * steps);
}

/** How well the 5 landmarks fit the detector's box as a face (1 = a face as the detector and the
 * landmark model would both draw it): eyes and mouth inside the box, eyes above the nose above the
 * mouth, an eye distance of a plausible share of the box width, a box not much taller than wide.
 * Disagreement between the two models is the learned "is this a face" signal the pipeline has
 * without a classifier: on a non-face the landmark model still returns points, but they do not
 * form a face inside the box. */
export function landmarkPlausibility(box: Box, p: FivePoints): number {
  const [x, y, w, h] = box;
  const pad = 0.1;
  const inside =
    p.filter(
      (q) => q[0] >= x - pad * w && q[0] <= x + w * (1 + pad) && q[1] >= y - pad * h && q[1] <= y + h * (1 + pad),
    ).length / 5;
  const [le, re, nose, lm, rm] = p;
  const eyeY = (le[1] + re[1]) / 2,
    mouthY = (lm[1] + rm[1]) / 2;
  const ordered = eyeY < nose[1] && nose[1] < mouthY && le[0] < re[0] && lm[0] < rm[0] ? 1 : 0;
  const iodShare = interOcularPx(p) / Math.max(1e-6, w);
  // ULFD boxes put the eyes ~0.35–0.5 of the box width apart on frontal faces; profiles go lower.
  const iodFit = ramp(iodShare, 0.12, 0.25);
  const aspect = h / Math.max(1e-6, w);
  const aspectFit = ramp(-aspect, -3.0, -2.2);
  return inside * (0.5 + 0.5 * ordered) * iodFit * aspectFit;
}

/** 0 at or below `bad`, 1 at or above `good`, linear between (works for bad > good too). */
export function ramp(v: number, bad: number, good: number): number {
  if (!Number.isFinite(v)) return 0;
  const t = (v - bad) / (good - bad);
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}

/** Where each signal turns from good to bad. Tuned on lfw-df-dev and lfw-120 (docs/clustering.md):
 * a face far enough below on one signal is gated on its own; faces weak on several add up. */
export const QUALITY_THRESHOLDS = {
  /** Inter-ocular distance, original pixels. */
  iodPx: { bad: 6, good: 16 },
  /** Share of the face region outside the photo. */
  truncation: { bad: 0.5, good: 0.2 },
  /** Laplacian variance of the 112 px aligned crop. */
  sharpness: { bad: 3, good: 25 },
  /** |yaw| in degrees (landmark estimate). */
  yaw: { bad: 75, good: 50 },
  detectorScore: { bad: 0.5, good: 0.8 },
  plausibility: { bad: 0.1, good: 0.5 },
  /** Length of the embedding before L2 normalisation (faceplugin-arcface512: frontal, sharp faces
   * 2.5–5.4 on the dev sets; logos, blurred and cut faces 1.3–2.2). */
  embeddingNorm: { bad: 1.6, good: 2.6 },
} as const;

type Range = { readonly bad: number; readonly good: number };
export type QualityThresholds = { readonly [K in keyof typeof QUALITY_THRESHOLDS]: Range };

export interface QualityContext {
  /** Photo size in the same frame as box and landmarks. */
  readonly width: number;
  readonly height: number;
  readonly detectorScore: number;
}

type SignalName =
  'small' | 'truncated' | 'blurred' | 'profile' | 'low-detector-score' | 'implausible-landmarks' | 'weak-embedding';

/** Per-signal factors in [0, 1] for the measured values present. */
function factors(q: FaceQuality, detectorScore: number | undefined, t: QualityThresholds): [SignalName, number][] {
  const out: [SignalName, number][] = [];
  if (q.iodPx !== undefined) out.push(['small', ramp(q.iodPx, t.iodPx.bad, t.iodPx.good)]);
  if (q.truncation !== undefined) out.push(['truncated', ramp(q.truncation, t.truncation.bad, t.truncation.good)]);
  out.push(['blurred', ramp(q.sharpness, t.sharpness.bad, t.sharpness.good)]);
  out.push(['profile', ramp(Math.abs(q.yaw), t.yaw.bad, t.yaw.good)]);
  if (detectorScore !== undefined)
    out.push(['low-detector-score', ramp(detectorScore, t.detectorScore.bad, t.detectorScore.good)]);
  if (q.plausibility !== undefined)
    out.push(['implausible-landmarks', ramp(q.plausibility, t.plausibility.bad, t.plausibility.good)]);
  if (q.embeddingNorm !== undefined)
    out.push(['weak-embedding', ramp(q.embeddingNorm, t.embeddingNorm.bad, t.embeddingNorm.good)]);
  return out;
}

/** Overall score: the product of the factors, each lifted so that one weak signal alone only
 * halves it (0.5 + 0.5 f) unless it is at its floor, where the face is unusable on that signal
 * alone. Reasons: the signals whose factor is below 1, weakest first. */
export function scoreQuality(
  q: FaceQuality,
  detectorScore?: number,
  thresholds: QualityThresholds = QUALITY_THRESHOLDS,
): { score: number; reasons: string[] } {
  const fs = factors(q, detectorScore, thresholds);
  let score = 1;
  for (const [, f] of fs) score *= f === 0 ? 0 : 0.5 + 0.5 * f;
  const reasons = fs
    .filter(([, f]) => f < 1)
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .map(([name]) => name);
  return { score: Number(score.toFixed(4)), reasons };
}

/** Everything measurable on a detected, aligned face (no embedding yet). */
export function faceQuality(
  box: Box,
  landmarks: FivePoints,
  alignedCrop: RgbImage,
  context?: QualityContext,
): FaceQuality {
  const base = {
    sizePx: Math.min(box[2], box[3]),
    sharpness: laplacianVariance(alignedCrop),
    ...poseFromLandmarks(landmarks),
  };
  if (!context) return base;
  const measured: FaceQuality = {
    ...base,
    iodPx: interOcularPx(landmarks),
    truncation: truncationOf(landmarks, context.width, context.height),
    plausibility: landmarkPlausibility(box, landmarks),
  };
  return { ...measured, ...scoreQuality(measured, context.detectorScore) };
}

/** Add the embedder's signal (the vector's length before normalisation) and re-score. */
export function withEmbeddingNorm(q: FaceQuality, norm: number | undefined, detectorScore: number): FaceQuality {
  if (norm === undefined || q.score === undefined) return q;
  const measured: FaceQuality = { ...q, embeddingNorm: norm };
  return { ...measured, ...scoreQuality(measured, detectorScore) };
}
