import type { Box, RgbImage } from '#core/types.ts';
import { cropRgb, resizeRgb } from '#core/vision/image-ops.ts';

/** Box arithmetic and input preparation of the MTCNN cascade, kept free of tensors so that it can be
 * tested on its own. Boxes are [x, y, w, h] in pixel-edge coordinates (pixel k spans [k, k+1)). */

/** P-Net sees 12x12 windows with a stride of 2 on each pyramid level. */
export const CELL_SIZE = 12;
export const CELL_STRIDE = 2;

export interface Candidate {
  readonly box: Box;
  readonly score: number;
  /** Box regression (dx1, dy1, dx2, dy2) as fractions of the box's width and height. */
  readonly reg: readonly [number, number, number, number];
}

/** Pyramid scales: the largest maps `minFace` onto P-Net's 12 px window, each next one is
 * `factor` times smaller, until the shorter image side drops under 12 px. */
export function pyramidScales(
  width: number,
  height: number,
  minFace: number,
  factor: number,
  maxScales = Infinity,
): number[] {
  const first = CELL_SIZE / minFace;
  const scales: number[] = [];
  for (let s = first; Math.min(width, height) * s >= CELL_SIZE && scales.length < maxScales; s *= factor)
    scales.push(s);
  return scales;
}

/** P-Net cells scoring at least `threshold`. The maps come from a transposed input, so they are
 * indexed [x][y]: prob[x * ny + y], regions[(x * ny + y) * 4 + k]. */
export function pnetCandidates(
  prob: Float32Array,
  regions: Float32Array,
  nx: number,
  ny: number,
  scale: number,
  threshold: number,
): Candidate[] {
  const out: Candidate[] = [];
  for (let x = 0; x < nx; x++) {
    for (let y = 0; y < ny; y++) {
      const i = x * ny + y;
      const score = prob[i];
      if (score < threshold) continue;
      const x1 = (CELL_STRIDE * x) / scale;
      const y1 = (CELL_STRIDE * y) / scale;
      const side = CELL_SIZE / scale;
      out.push({
        box: [x1, y1, side, side],
        score,
        reg: [regions[i * 4], regions[i * 4 + 1], regions[i * 4 + 2], regions[i * 4 + 3]],
      });
    }
  }
  return out;
}

/** Apply a box regression: each edge moves by its offset times the box's width or height. */
export function calibrate(box: Box, reg: readonly [number, number, number, number]): Box {
  const [x, y, w, h] = box;
  const x1 = x + reg[0] * w;
  const y1 = y + reg[1] * h;
  const x2 = x + w + reg[2] * w;
  const y2 = y + h + reg[3] * h;
  return [x1, y1, x2 - x1, y2 - y1];
}

/** The square with the same centre and the longer side, on whole pixels (the next stage crops it). */
export function toSquare(box: Box): Box {
  const [x, y, w, h] = box;
  const side = Math.max(1, Math.round(Math.max(w, h)));
  return [Math.round(x + w / 2 - side / 2), Math.round(y + h / 2 - side / 2), side, side];
}

/** Crop each (whole-pixel) box — zero outside the image, as MTCNN was trained — and shrink it to
 * `size`x`size` with area averaging, then lay the batch out as the nets want it: transposed
 * ([n][x][y]), BGR, (v - 127.5) / 128. */
export function patchBatch(image: RgbImage, boxes: readonly Box[], size: number): Float32Array {
  const plane = size * size * 3;
  const out = new Float32Array(boxes.length * plane);
  boxes.forEach((b, n) => {
    const crop = cropRgb(
      image,
      Math.round(b[0]),
      Math.round(b[1]),
      Math.max(1, Math.round(b[2])),
      Math.max(1, Math.round(b[3])),
    );
    writeTransposedRgb(resizeRgb(crop, size, size), out, n * plane);
  });
  return out;
}

/** Write an RGB image into `out` at `offset` as transposed ([x][y]) RGB floats, (v - 127.5) / 128. */
export function writeTransposedRgb(img: RgbImage, out: Float32Array, offset = 0): Float32Array {
  const { width: w, height: h, data: d } = img;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 3;
      const o = offset + (x * h + y) * 3;
      out[o] = (d[p] - 127.5) * 0.0078125;
      out[o + 1] = (d[p + 1] - 127.5) * 0.0078125;
      out[o + 2] = (d[p + 2] - 127.5) * 0.0078125;
    }
  }
  return out;
}
