import type { Box, FaceQuality, FivePoints, RgbImage } from '#core/types.ts';
import { toGrey } from '#core/vision/image-ops.ts';

/** Variance of the 4-neighbour Laplacian of the grey image: blur lowers it. */
export function laplacianVariance(image: RgbImage): number {
  const g = toGrey(image);
  const w = image.width, h = image.height;
  let sum = 0, sumSq = 0, n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = g[i - 1] + g[i + 1] + g[i - w] + g[i + w] - 4 * g[i];
      sum += v; sumSq += v * v; n++;
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
  const cos = Math.cos(-roll), sin = Math.sin(-roll);
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

export function faceQuality(box: Box, landmarks: FivePoints, alignedCrop: RgbImage): FaceQuality {
  return { sizePx: Math.min(box[2], box[3]), sharpness: laplacianVariance(alignedCrop), ...poseFromLandmarks(landmarks) };
}
