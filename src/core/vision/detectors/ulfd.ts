import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Box, RgbImage } from '#core/types.ts';
import { cropRgb, resizeRgbFast } from '#core/vision/image-ops.ts';
import { iou, nms, type ScoredBox } from '#core/vision/nms.ts';
import { loadOnnxSession } from '#core/vision/runtime/onnx.ts';
import type { InferenceSession } from '#core/vision/runtime/types.ts';
import type { DetectOptions, Detection, Detector, FinerCopy } from '#core/vision/types.ts';
import {
  decodeUlfd,
  ulfdAnchors,
  ulfdForAnySize,
  ULFD_LOGITS,
  ULFD_REGRESSIONS,
  ULFD_SIDE_MULTIPLE,
  type UlfdCandidate,
} from '#core/vision/detectors/ulfd-any-size.ts';

/** Ultra-Light-Fast face detector (RFB-320), as shipped in faceplugin's JS SDK. The network has a
 * fixed 320x240 input and outputs, per anchor, [background, face] probabilities and an already
 * decoded box in normalised corner form (x1, y1, x2, y2 in 0..1 of the input). Its anchors span
 * faces of ~10 to ~250 input pixels, so one squeezed pass over a big photo loses small faces: we run
 * a pyramid. Its layers are all convolutions: rewritten to take any input size (ulfd-any-size.ts),
 * each level runs as one input; the model as shipped runs the finer levels as overlapping 320x240
 * tiles instead (about twice the convolution work). */

const NET_W = 320;
const NET_H = 240;
const ANCHORS = 4420;

export interface UlfdOptions {
  /** Minimum face probability. */
  readonly scoreThreshold: number;
  /** IoU above which two boxes are the same face. */
  readonly nmsIou: number;
  /** Smallest face (shorter side, in pixels of the image given to detect) the pyramid must reach. */
  readonly minFacePx: number;
  /** Size in network pixels at which the finest level sees a `minFacePx` face. */
  readonly minNetFacePx: number;
  /** Scale step between pyramid levels. */
  readonly levelRatio: number;
  /** Tile overlap in network pixels: faces up to this size are whole in some tile. */
  readonly tileOverlap: number;
  /** Candidates scoring below this get a second look: the detector re-runs on a window centred on
   * the candidate, scaled so the face is `verifyFacePx` network pixels, and the candidate is kept
   * only if that pass finds it again with at least `scoreThreshold`. Body parts and textures that
   * look like a tiny face in a tile rarely still look like one at a comfortable size. */
  readonly verifyBelow: number;
  readonly verifyFacePx: number;
  readonly threads?: number;
  /** Run each pyramid level as one input through the graph rewritten for any size (default true);
   * false: 320x240 tiles through the graph as shipped (the benchmark's "before"). */
  readonly wholeLevels?: boolean;
}

export const ULFD_DEFAULTS: UlfdOptions = {
  scoreThreshold: 0.7,
  nmsIou: 0.35,
  minFacePx: 20,
  minNetFacePx: 16,
  levelRatio: 2,
  tileOverlap: 80,
  verifyBelow: 0.97,
  verifyFacePx: 80,
};

/** The finest level runs when a face found by the coarser levels is under this many times the
 * smallest face those levels can see (see detect). */
const SMALL_FACE_HINT = 2;

interface Tile {
  readonly x: number;
  readonly y: number;
}

/** Evenly spread window offsets so that `window`-sized windows cover `length` with at least
 * `overlap` shared between neighbours. */
function windowOffsets(length: number, window: number, overlap: number): number[] {
  if (length <= window) return [0];
  const n = Math.ceil((length - window) / (window - overlap)) + 1;
  const step = (length - window) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.round(i * step));
}

/** Pyramid scales (working-image → network pixels), coarse to fine: the first fits the whole image
 * into one input, the last makes a `minFacePx` face `minNetFacePx` wide. */
export function pyramidScales(
  width: number,
  height: number,
  o: Pick<UlfdOptions, 'minFacePx' | 'minNetFacePx' | 'levelRatio'>,
  maxScale = 1,
): number[] {
  const whole = Math.min(NET_W / width, NET_H / height);
  const finest = o.minNetFacePx / o.minFacePx;
  const scales = [whole];
  // Never enlarge beyond 1:1 by tiling (upsampling adds no detail; small faces there are below
  // reach); `maxScale` > 1 when the finest level runs on a sharper copy.
  const limit = Math.min(finest, maxScale);
  let s = whole;
  while (s * 1.15 < limit) {
    s = Math.min(s * o.levelRatio, limit);
    scales.push(s);
  }
  return scales;
}

export class UlfdDetector implements Detector {
  readonly id = 'ulfd-rfb320';

  private readonly anchors = new Map<string, Float32Array>();

  /** `anySize`: the session runs the graph rewritten by ulfdForAnySize (raw outputs, any input). */
  constructor(
    private readonly session: InferenceSession,
    private readonly options: UlfdOptions = ULFD_DEFAULTS,
    private readonly anySize = false,
  ) {}

  /** The largest scale of the levels before the finest (see Detector.coarseScale). */
  coarseScale(width: number, height: number, options: DetectOptions = {}): number {
    const scales = pyramidScales(width, height, this.withMinFace(options));
    return Math.min(1, scales.length === 1 ? scales[0]! : scales[scales.length - 2]!);
  }

  private withMinFace(options: DetectOptions): UlfdOptions {
    return options.minFacePx === undefined ? this.options : { ...this.options, minFacePx: options.minFacePx };
  }

  /** Coarse to fine. With effort 'faces' (default) the finest level, which holds most of the tiles
   * (about 3/4 of the work on a big photo), runs only when the coarser levels found no face at all
   * or found one less than SMALL_FACE_HINT times the smallest size they can see: people in a photo
   * come at similar sizes, so a crowd whose faces the coarse levels barely reach probably has
   * smaller ones too. A photo of a few large faces is done after the coarse levels. With a finer
   * copy (options.finer) the coarse levels run on the image given and the finest level on that
   * copy, decoded only then: a big JPEG of a few large faces is decoded once, at a quarter size. */
  async detect(image: RgbImage, options: DetectOptions = {}): Promise<Detection[]> {
    const o = this.withMinFace(options);
    const scales = pyramidScales(image.width, image.height, o, options.finer?.factor ?? 1);
    const coarse = scales.length === 1 ? scales : scales.slice(0, -1);
    const found: ScoredBox[] = [];
    let fine: { image: RgbImage; fx: number; fy: number } | undefined;
    // A level finer than the image given (the finest; a coarse one only if the caller's copy is
    // too small for it) runs on the sharper copy, decoded at the first such level.
    const runLevelAt = async (scale: number): Promise<void> => {
      if (scale <= 1 || !options.finer) return void found.push(...(await this.runLevel(image, scale)));
      fine ??= await loadFiner(image, options.finer);
      found.push(...scaleBoxes(await this.runLevel(fine.image, scale / fine.fx), 1 / fine.fx, 1 / fine.fy));
    };
    for (const scale of coarse) await runLevelAt(scale);
    if (coarse.length < scales.length && (options.effort === 'pixels' || this.smallFacesLikely(found, o, coarse)))
      await runLevelAt(scales[scales.length - 1]!);
    const kept = nms(found, this.options.nmsIou, 0.8);
    const verified: ScoredBox[] = [];
    for (const k of kept) {
      if (k.score >= this.options.verifyBelow) verified.push(k);
      else {
        // On the sharper copy when it was decoded anyway.
        const again = fine
          ? await this.secondLook(fine.image, scaleBox(k.box, fine.fx, fine.fy))
          : await this.secondLook(image, k.box);
        if (again) verified.push({ box: k.box, score: again.score });
      }
    }
    return verified.map((k) => ({ box: clampBox(k.box, image.width, image.height), score: k.score }));
  }

  /** No face at all in the coarse levels, or one under SMALL_FACE_HINT times the smallest they see. */
  private smallFacesLikely(found: readonly ScoredBox[], o: UlfdOptions, coarse: readonly number[]): boolean {
    const reach = o.minNetFacePx / coarse[coarse.length - 1]!;
    const seen = nms(found, this.options.nmsIou, 0.8);
    return seen.length === 0 || seen.some((f) => Math.min(f.box[2], f.box[3]) < SMALL_FACE_HINT * reach);
  }

  /** One pyramid level: the image scaled by `scale`, cut into overlapping network-size tiles.
   * Boxes come back in image pixels. */
  private async runLevel(image: RgbImage, scale: number): Promise<ScoredBox[]> {
    const found: ScoredBox[] = [];
    const sw = Math.max(1, Math.round(image.width * scale));
    const sh = Math.max(1, Math.round(image.height * scale));
    const scaled = await resizeRgbFast(image, sw, sh);
    if (this.anySize && (sw > NET_W || sh > NET_H))
      return scaleBoxes(await this.runWhole(scaled), image.width / sw, image.height / sh);
    const xs = windowOffsets(sw, NET_W, this.options.tileOverlap);
    const ys = windowOffsets(sh, NET_H, this.options.tileOverlap);
    const tiled = xs.length > 1 || ys.length > 1;
    const fx = image.width / sw;
    const fy = image.height / sh;
    for (const y of ys) {
      for (const x of xs) {
        const boxes = await this.runTile(scaled, { x, y }, tiled);
        for (const b of boxes)
          found.push({ score: b.score, box: [b.box[0] * fx, b.box[1] * fy, b.box[2] * fx, b.box[3] * fy] });
      }
    }
    return found;
  }

  /** Re-detect around `box` with the face at `verifyFacePx` network pixels; returns the matching
   * detection (in image pixels) or undefined. */
  private async secondLook(image: RgbImage, box: Box): Promise<ScoredBox | undefined> {
    // Enlarging a tiny face more than 2x only blurs it: cap the zoom.
    const scale = Math.min(2, this.options.verifyFacePx / Math.max(box[2], box[3]));
    const cx = box[0] + box[2] / 2,
      cy = box[1] + box[3] / 2;
    // Window of NET_W x NET_H network pixels = (NET_W / scale) x (NET_H / scale) image pixels.
    const x0 = Math.round(cx - NET_W / scale / 2),
      y0 = Math.round(cy - NET_H / scale / 2);
    const ww = Math.round(NET_W / scale),
      wh = Math.round(NET_H / scale);
    const window = cropRgb(image, x0, y0, ww, wh, 127);
    const net = await resizeRgbFast(window, NET_W, NET_H);
    const boxes = await this.runTile(net, { x: 0, y: 0 }, false);
    const fx = ww / NET_W,
      fy = wh / NET_H;
    let best: ScoredBox | undefined;
    for (const b of boxes) {
      const mapped: Box = [x0 + b.box[0] * fx, y0 + b.box[1] * fy, b.box[2] * fx, b.box[3] * fy];
      if (iou(mapped, box) >= 0.5 && (!best || b.score > best.score)) best = { box, score: b.score };
    }
    return best;
  }

  /** One network pass on the 320x240 window at (x, y) of `scaled` (letterboxed with grey where the
   * image ends). Boxes come back in `scaled` pixels. */
  private async runTile(scaled: RgbImage, tile: Tile, tiled: boolean): Promise<ScoredBox[]> {
    const t = toNetInput(scaled, tile.x, tile.y, NET_W, NET_H);
    const res: ScoredBox[] = [];
    // Edge margin in network pixels: a face cut by an inner tile edge is left to a coarser level.
    const margin = 2;
    for (const { score, x1, y1, x2, y2 } of await this.infer(t, NET_W, NET_H)) {
      if (x2 - x1 < 2 || y2 - y1 < 2) continue;
      if (tiled) {
        // A face larger than the tile overlap may be cut by a tile edge and show up as a
        // plausible half face; the next coarser level sees it whole (at half the size), so
        // tiled levels only report faces up to the overlap.
        if (Math.max(x2 - x1, y2 - y1) > this.options.tileOverlap) continue;
        const cutLeft = tile.x > 0 && x1 < margin;
        const cutTop = tile.y > 0 && y1 < margin;
        const cutRight = tile.x + NET_W < scaled.width && x2 > NET_W - margin;
        const cutBottom = tile.y + NET_H < scaled.height && y2 > NET_H - margin;
        if (cutLeft || cutTop || cutRight || cutBottom) continue;
      }
      res.push({ score, box: [x1 + tile.x, y1 + tile.y, x2 - x1, y2 - y1] });
    }
    // Per-tile NMS keeps the cross-level merge small.
    return nms(res, this.options.nmsIou);
  }

  /** A whole level larger than one tile, in one pass (grey padding up to the next multiple of the
   * coarsest stride). Like the tiles, it reports faces up to the tile overlap only: larger ones are
   * the coarser levels' (there, whole), which keeps each face to the levels it was seen at before. */
  private async runWhole(scaled: RgbImage): Promise<ScoredBox[]> {
    const w = Math.ceil(scaled.width / ULFD_SIDE_MULTIPLE) * ULFD_SIDE_MULTIPLE;
    const h = Math.ceil(scaled.height / ULFD_SIDE_MULTIPLE) * ULFD_SIDE_MULTIPLE;
    const res: ScoredBox[] = [];
    for (const { score, x1, y1, x2, y2 } of await this.infer(toNetInput(scaled, 0, 0, w, h), w, h)) {
      if (x2 - x1 < 2 || y2 - y1 < 2 || Math.max(x2 - x1, y2 - y1) > this.options.tileOverlap) continue;
      res.push({ score, box: [x1, y1, x2 - x1, y2 - y1] });
    }
    return nms(res, this.options.nmsIou);
  }

  /** One network pass; candidates at or above the score threshold, corners in input pixels. */
  private async infer(input: Float32Array, w: number, h: number): Promise<UlfdCandidate[]> {
    const out = await this.session.run({ input: { data: input, dims: [1, 3, h, w] } });
    const threshold = this.options.scoreThreshold;
    if (this.anySize) {
      const key = `${w}x${h}`;
      let anchors = this.anchors.get(key);
      if (!anchors) this.anchors.set(key, (anchors = ulfdAnchors(w, h)));
      return decodeUlfd(out[ULFD_LOGITS]!.data, out[ULFD_REGRESSIONS]!.data, anchors, w, h, threshold);
    }
    const scores = out.scores!.data;
    const boxes = out.boxes!.data;
    const res: UlfdCandidate[] = [];
    for (let i = 0; i < ANCHORS; i++) {
      const score = scores[i * 2 + 1]!;
      if (score < threshold) continue;
      res.push({
        score,
        x1: boxes[i * 4]! * w,
        y1: boxes[i * 4 + 1]! * h,
        x2: boxes[i * 4 + 2]! * w,
        y2: boxes[i * 4 + 3]! * h,
      });
    }
    return res;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

/** The `w` x `h` window at (x0, y0) of `image` as the network's NCHW input, (v - 127) / 128; past
 * the image's edge it stays 0, i.e. grey. A fresh array per call: detect() may run concurrently. */
function toNetInput(image: RgbImage, x0: number, y0: number, w: number, h: number): Float32Array {
  const t = new Float32Array(3 * w * h);
  const plane = w * h;
  const cw = Math.min(w, image.width - x0);
  const ch = Math.min(h, image.height - y0);
  const d = image.data;
  for (let yy = 0; yy < ch; yy++) {
    let p = ((y0 + yy) * image.width + x0) * 3;
    let o = yy * w;
    for (let xx = 0; xx < cw; xx++, p += 3, o++) {
      t[o] = (d[p]! - 127) / 128;
      t[plane + o] = (d[p + 1]! - 127) / 128;
      t[2 * plane + o] = (d[p + 2]! - 127) / 128;
    }
  }
  return t;
}

/** The finer copy, with its exact size ratio per axis (floor rounding makes it about, not exactly,
 * `factor`). */
async function loadFiner(image: RgbImage, finer: FinerCopy): Promise<{ image: RgbImage; fx: number; fy: number }> {
  const fine = await finer.load();
  return { image: fine, fx: fine.width / image.width, fy: fine.height / image.height };
}

const scaleBox = (b: Box, fx: number, fy: number): Box => [b[0] * fx, b[1] * fy, b[2] * fx, b[3] * fy];
const scaleBoxes = (boxes: readonly ScoredBox[], fx: number, fy: number): ScoredBox[] =>
  boxes.map((b) => ({ score: b.score, box: scaleBox(b.box, fx, fy) }));

function clampBox(b: Box, width: number, height: number): Box {
  const x1 = Math.max(0, b[0]),
    y1 = Math.max(0, b[1]);
  const x2 = Math.min(width, b[0] + b[2]),
    y2 = Math.min(height, b[1] + b[3]);
  return [x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1)];
}

export async function createUlfdDetector(modelsDir: string, options: Partial<UlfdOptions> = {}): Promise<UlfdDetector> {
  const shipped = new Uint8Array(await readFile(join(modelsDir, 'ulfd-rfb320', 'model.onnx')));
  const anySize = options.wholeLevels === false ? undefined : ulfdForAnySize(shipped);
  const session = await loadOnnxSession(
    anySize ?? shipped,
    options.threads === undefined ? {} : { threads: options.threads },
  );
  return new UlfdDetector(session, { ...ULFD_DEFAULTS, ...options }, anySize !== undefined);
}
