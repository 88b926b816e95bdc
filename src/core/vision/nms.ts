import type { Box } from '#core/types.ts';

export interface ScoredBox {
  readonly box: Box;
  readonly score: number;
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/** Share of the smaller box covered by the other. */
export function overlapOfSmaller(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const smaller = Math.min(a[2] * a[3], b[2] * b[3]);
  return smaller > 0 ? (ix * iy) / smaller : 0;
}

/** Greedy non-maximum suppression: keep the best-scored box, drop boxes overlapping it by more
 * than `iouThreshold` (IoU) or mostly contained in it (`containThreshold` of the smaller box). */
export function nms<T extends ScoredBox>(boxes: readonly T[], iouThreshold: number, containThreshold = 1.01): T[] {
  // Ties broken by position so that the result never depends on input order.
  const sorted = [...boxes].sort((a, b) => b.score - a.score || a.box[1] - b.box[1] || a.box[0] - b.box[0]);
  const kept: T[] = [];
  for (const cand of sorted) {
    if (
      kept.every((k) => iou(k.box, cand.box) <= iouThreshold && overlapOfSmaller(k.box, cand.box) <= containThreshold)
    )
      kept.push(cand);
  }
  return kept;
}
