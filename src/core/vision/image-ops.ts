import sharp from 'sharp';
import type { RgbImage } from '#core/types.ts';

/** Small pixel operations on interleaved RGB buffers, in TypeScript so the hot path needs neither
 * OpenCV nor a round trip through sharp's async pipeline. */

/** Resize with area averaging when shrinking (no aliasing on big downscales) and bilinear
 * interpolation when enlarging. Separable: columns of each row first (into floats), then rows. */
export function resizeRgb(src: RgbImage, dstW: number, dstH: number): RgbImage {
  dstW = Math.max(1, Math.round(dstW));
  dstH = Math.max(1, Math.round(dstH));
  if (dstW === src.width && dstH === src.height) return src;
  const sw = src.width,
    sh = src.height;
  const hx = axisWeights(sw, dstW);
  const vy = axisWeights(sh, dstH);
  // Horizontal pass: sh rows of dstW*3 floats.
  const rowLen = dstW * 3;
  const tmp = new Float32Array(sh * rowLen);
  const d = src.data;
  for (let y = 0; y < sh; y++) {
    const row = y * sw * 3;
    const orow = y * rowLen;
    for (let x = 0; x < dstW; x++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let k = hx.start[x], e = hx.start[x + 1]; k < e; k++) {
        const p = row + hx.idx[k] * 3;
        const f = hx.w[k];
        r += d[p] * f;
        g += d[p + 1] * f;
        b += d[p + 2] * f;
      }
      const o = orow + x * 3;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
    }
  }
  // Vertical pass: each output row is a weighted sum of whole input rows (sequential memory).
  const out = new Uint8Array(dstH * rowLen);
  // Writing floats through a clamped view rounds and clamps to 0..255.
  const clamped = new Uint8ClampedArray(out.buffer);
  const acc = new Float32Array(rowLen);
  for (let y = 0; y < dstH; y++) {
    acc.fill(0);
    for (let k = vy.start[y], e = vy.start[y + 1]; k < e; k++) {
      const f = vy.w[k];
      const base = vy.idx[k] * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += tmp[base + i] * f;
    }
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) clamped[o + i] = acc[i];
  }
  return { width: dstW, height: dstH, data: out };
}

/** Same as resizeRgb but through libvips (several times faster on big images, off the main
 * thread): used for the detector's pyramid levels. */
export async function resizeRgbFast(src: RgbImage, dstW: number, dstH: number): Promise<RgbImage> {
  dstW = Math.max(1, Math.round(dstW));
  dstH = Math.max(1, Math.round(dstH));
  if (dstW === src.width && dstH === src.height) return src;
  if (src.width * src.height < 4_096) return resizeRgb(src, dstW, dstH);
  const input = Buffer.from(src.data.buffer, src.data.byteOffset, src.data.byteLength);
  const data = await sharp(input, { raw: { width: src.width, height: src.height, channels: 3 } })
    .resize(dstW, dstH, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { width: dstW, height: dstH, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Weights for mapping `srcLen` samples onto `dstLen`: for destination sample d, the pairs
 * (idx[k], w[k]) for k in [start[d], start[d+1]). */
function axisWeights(srcLen: number, dstLen: number): { idx: Int32Array; w: Float32Array; start: Int32Array } {
  const scale = srcLen / dstLen;
  const starts: number[] = [0];
  const idx: number[] = [];
  const w: number[] = [];
  for (let d = 0; d < dstLen; d++) {
    if (scale > 1) {
      // Area: the destination pixel covers [d*scale, (d+1)*scale) of the source.
      const a = d * scale;
      const b = Math.min(srcLen, (d + 1) * scale);
      for (let s = Math.floor(a); s < Math.ceil(b); s++) {
        const cover = Math.min(b, s + 1) - Math.max(a, s);
        if (cover > 1e-6) {
          idx.push(s);
          w.push(cover / (b - a));
        }
      }
    } else {
      const x = (d + 0.5) * scale - 0.5;
      const x0 = Math.max(0, Math.min(srcLen - 1, Math.floor(x)));
      const x1 = Math.min(srcLen - 1, x0 + 1);
      const f = Math.max(0, Math.min(1, x - x0));
      idx.push(x0, x1);
      w.push(1 - f, f);
    }
    starts.push(idx.length);
  }
  return { idx: Int32Array.from(idx), w: Float32Array.from(w), start: Int32Array.from(starts) };
}

/** Copy a rectangle (clamped to the image; outside pixels are filled with `fill`). */
export function cropRgb(src: RgbImage, x0: number, y0: number, w: number, h: number, fill = 0): RgbImage {
  const out = new Uint8Array(w * h * 3).fill(fill);
  const sx0 = Math.max(0, x0),
    sy0 = Math.max(0, y0);
  const sx1 = Math.min(src.width, x0 + w),
    sy1 = Math.min(src.height, y0 + h);
  if (sx1 > sx0) {
    for (let y = sy0; y < sy1; y++) {
      const from = (y * src.width + sx0) * 3;
      out.set(src.data.subarray(from, from + (sx1 - sx0) * 3), ((y - y0) * w + (sx0 - x0)) * 3);
    }
  }
  return { width: w, height: h, data: out };
}

/** Luma (BT.601) of an RGB image as floats 0..255. */
export function toGrey(src: RgbImage): Float32Array {
  const n = src.width * src.height;
  const out = new Float32Array(n);
  const d = src.data;
  for (let i = 0, p = 0; i < n; i++, p += 3) out[i] = 0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2];
  return out;
}

/** HWC uint8 RGB → CHW float32 with (v - mean) / std, the layout ONNX vision models take. */
export function toChwFloat(src: RgbImage, mean: number, std: number, out?: Float32Array, offset = 0): Float32Array {
  const plane = src.width * src.height;
  const t = out ?? new Float32Array(plane * 3);
  const d = src.data;
  const inv = 1 / std;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    t[offset + i] = (d[p] - mean) * inv;
    t[offset + plane + i] = (d[p + 1] - mean) * inv;
    t[offset + 2 * plane + i] = (d[p + 2] - mean) * inv;
  }
  return t;
}
