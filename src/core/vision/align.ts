import type { FivePoints, Point, RgbImage } from '#core/types.ts';
import type { AlignmentTemplate } from '#core/vision/types.ts';
import { cropRgb, resizeRgb } from '#core/vision/image-ops.ts';

/** 2x3 affine matrix [a, b, tx, c, d, ty]: x' = a x + b y + tx, y' = c x + d y + ty. */
export type Affine = readonly [number, number, number, number, number, number];

/** ArcFace's canonical 5-point template for a 112x112 crop (ArcFace order). */
export const ARCFACE_112_TEMPLATE: AlignmentTemplate = {
  size: 112,
  points: [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
  ],
};

/** Least-squares similarity transform (rotation, uniform scale, translation) taking `src` points
 * onto `dst` (Umeyama 1991, 2-D case, reflection excluded). */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  let msx = 0,
    msy = 0,
    mdx = 0,
    mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i][0];
    msy += src[i][1];
    mdx += dst[i][0];
    mdy += dst[i][1];
  }
  msx /= n;
  msy /= n;
  mdx /= n;
  mdy /= n;
  // For 2-D similarity the SVD solution reduces to a closed form in complex numbers:
  // scale*rotation = sum(conj(s) * d) / sum(|s|^2) with centred points.
  let re = 0,
    im = 0,
    varS = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i][0] - msx,
      sy = src[i][1] - msy;
    const dx = dst[i][0] - mdx,
      dy = dst[i][1] - mdy;
    re += sx * dx + sy * dy;
    im += sx * dy - sy * dx;
    varS += sx * sx + sy * sy;
  }
  const a = varS > 0 ? re / varS : 1;
  const b = varS > 0 ? im / varS : 0;
  // [a -b; b a] is scale * rotation.
  return [a, -b, mdx - (a * msx - b * msy), b, a, mdy - (b * msx + a * msy)];
}

export function applyAffine(m: Affine, p: Point): Point {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  const ia = m[4] / det,
    ib = -m[1] / det,
    ic = -m[3] / det,
    id = m[0] / det;
  return [ia, ib, -(ia * m[2] + ib * m[5]), ic, id, -(ic * m[2] + id * m[5])];
}

/** Affine that first applies `first`, then `second`. */
export function composeAffine(second: Affine, first: Affine): Affine {
  return [
    second[0] * first[0] + second[1] * first[3],
    second[0] * first[1] + second[1] * first[4],
    second[0] * first[2] + second[1] * first[5] + second[2],
    second[3] * first[0] + second[4] * first[3],
    second[3] * first[1] + second[4] * first[4],
    second[3] * first[2] + second[4] * first[5] + second[5],
  ];
}

/** Warp `src` into a `outW`x`outH` image: each output pixel samples the source at
 * inverse(`m`)(x, y), bilinearly; outside the source reads the nearest edge pixel. */
export function warpAffine(src: RgbImage, m: Affine, outW: number, outH: number): RgbImage {
  const inv = invertAffine(m);
  const out = new Uint8Array(outW * outH * 3);
  const w = src.width,
    h = src.height,
    d = src.data;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sx = inv[0] * x + inv[1] * y + inv[2];
      let sy = inv[3] * x + inv[4] * y + inv[5];
      sx = Math.min(w - 1, Math.max(0, sx));
      sy = Math.min(h - 1, Math.max(0, sy));
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const x1 = Math.min(w - 1, x0 + 1),
        y1 = Math.min(h - 1, y0 + 1);
      const fx = sx - x0,
        fy = sy - y0;
      const p00 = (y0 * w + x0) * 3,
        p01 = (y0 * w + x1) * 3,
        p10 = (y1 * w + x0) * 3,
        p11 = (y1 * w + x1) * 3;
      const o = (y * outW + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = d[p00 + c] + (d[p01 + c] - d[p00 + c]) * fx;
        const bot = d[p10 + c] + (d[p11 + c] - d[p10 + c]) * fx;
        out[o + c] = top + (bot - top) * fy + 0.5;
      }
    }
  }
  return { width: outW, height: outH, data: out };
}

/** Warp with anti-aliasing: when the transform shrinks by more than ~1.5x, the source region is
 * first area-downsampled, so that big faces do not alias into the small crop. */
export function warpAffineAntialiased(src: RgbImage, m: Affine, outW: number, outH: number): RgbImage {
  const scale = Math.hypot(m[0], m[3]);
  if (scale >= 0.67) return warpAffine(src, m, outW, outH);
  const inv = invertAffine(m);
  const corners: Point[] = [
    [0, 0],
    [outW, 0],
    [0, outH],
    [outW, outH],
  ].map((p) => applyAffine(inv, p as Point));
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0]))) - 2);
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1]))) - 2);
  const x1 = Math.min(src.width, Math.ceil(Math.max(...corners.map((p) => p[0]))) + 2);
  const y1 = Math.min(src.height, Math.ceil(Math.max(...corners.map((p) => p[1]))) + 2);
  if (x1 - x0 < 2 || y1 - y0 < 2) return warpAffine(src, m, outW, outH);
  const region = cropRgb(src, x0, y0, x1 - x0, y1 - y0);
  const rw = Math.max(2, Math.round((x1 - x0) * scale));
  const rh = Math.max(2, Math.round((y1 - y0) * scale));
  const small = resizeRgb(region, rw, rh);
  const fx = rw / (x1 - x0),
    fy = rh / (y1 - y0);
  // small pixel = (source pixel - origin + 0.5) * f - 0.5  (pixel-centre convention of resizeRgb)
  const toSmall: Affine = [fx, 0, (-x0 + 0.5) * fx - 0.5, 0, fy, (-y0 + 0.5) * fy - 0.5];
  const fromSmall = composeAffine(m, invertAffine(toSmall));
  return warpAffine(small, fromSmall, outW, outH);
}

export interface AlignedFace {
  readonly crop: RgbImage;
  /** Image → crop transform (to map more points into the crop). */
  readonly transform: Affine;
}

/** Align a face onto an embedder's template with the least-squares similarity of its 5 points. */
export function alignFace(image: RgbImage, landmarks: FivePoints, template: AlignmentTemplate): AlignedFace {
  const transform = similarityTransform(landmarks, template.points);
  return { crop: warpAffineAntialiased(image, transform, template.size, template.size), transform };
}
