import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Box, FivePoints, Point, RgbImage } from '#core/types.ts';
import { resizeRgbFast } from '#core/vision/image-ops.ts';
import { nms } from '#core/vision/nms.ts';
import { initTfjs, loadWeightMap } from '#core/vision/runtime/tfjs.ts';
import type { Detection, Detector } from '#core/vision/types.ts';
import {
  calibrate,
  type Candidate,
  patchBatch,
  pnetCandidates,
  pyramidScales,
  toSquare,
  writeTransposedRgb,
} from './mtcnn-boxes.ts';
import { type MtcnnParams, mtcnnParams, onet, pnet, rnet } from './mtcnn-nets.ts';

type Tf = typeof tfTypes;

export const MTCNN_ID = 'mtcnn';

export interface MtcnnOptions {
  /** Smallest face to look for, in pixels of the image given to `detect`. */
  readonly minFace?: number;
  /** Ratio between pyramid levels. */
  readonly scaleFactor?: number;
  /** Score thresholds of P-Net, R-Net, O-Net. */
  readonly thresholds?: readonly [number, number, number];
}

/** The paper's P-Net and R-Net thresholds; O-Net's final threshold is raised from 0.7 to 0.9 (as
 * recognition pipelines built on MTCNN commonly do): real faces score ≥ 0.95 almost always, while
 * textured background (beards on posters, shelves, reflections) lands at 0.7-0.85. */
const DEFAULTS = { minFace: 20, scaleFactor: 0.709, thresholds: [0.6, 0.7, 0.9] as const };
/** Patches per R-Net/O-Net forward pass (bounds memory on crowded photos). */
const BATCH = 256;

/** MTCNN (Zhang et al. 2016): P-Net proposes windows over an image pyramid, R-Net rejects most of
 * them, O-Net refines the survivors and predicts five landmarks. Runs on TensorFlow.js with
 * face-api.js's converted weights. Landmarks come out in ArcFace order (left eye, right eye, nose,
 * left and right mouth corner, "left" = image left), the order MTCNN itself uses. */
export class MtcnnDetector implements Detector {
  readonly id = MTCNN_ID;
  private readonly minFace: number;
  private readonly scaleFactor: number;
  private readonly thresholds: readonly [number, number, number];

  constructor(
    private readonly tf: Tf,
    private readonly params: MtcnnParams,
    private readonly weights: tfTypes.NamedTensorMap,
    options: MtcnnOptions = {},
  ) {
    this.minFace = options.minFace ?? DEFAULTS.minFace;
    this.scaleFactor = options.scaleFactor ?? DEFAULTS.scaleFactor;
    this.thresholds = options.thresholds ?? DEFAULTS.thresholds;
  }

  async detect(image: RgbImage): Promise<Detection[]> {
    const proposals = await this.stage1(image);
    if (proposals.length === 0) return [];
    const refined = await this.stage2(image, proposals);
    if (refined.length === 0) return [];
    return this.stage3(image, refined);
  }

  /** P-Net over the pyramid: windows scoring ≥ threshold, merged per level and across levels,
   * regressed and squared. */
  private async stage1(image: RgbImage): Promise<Box[]> {
    const tf = this.tf;
    const all: Candidate[] = [];
    for (const scale of pyramidScales(image.width, image.height, this.minFace, this.scaleFactor)) {
      const w = Math.floor(image.width * scale);
      const h = Math.floor(image.height * scale);
      if (Math.min(w, h) < 12) break;
      const level = await resizeRgbFast(image, w, h);
      const input = writeTransposedRgb(level, new Float32Array(w * h * 3));
      const out = tf.tidy(() => pnet(tf, tf.tensor4d(input, [1, w, h, 3]), this.params.pnet));
      const [prob, regions] = await Promise.all([out.prob.data<'float32'>(), out.regions.data<'float32'>()]);
      const [nx, ny] = out.prob.shape;
      tf.dispose([out.prob, out.regions]);
      all.push(...nms(pnetCandidates(prob, regions, nx, ny, scale, this.thresholds[0]), 0.5));
    }
    return nms(all, 0.7).map((c) => toSquare(calibrate(c.box, c.reg)));
  }

  /** R-Net on 24x24 crops of the proposals: keep the confident ones, merge, regress, square. */
  private async stage2(image: RgbImage, boxes: readonly Box[]): Promise<Box[]> {
    const tf = this.tf;
    const kept: Candidate[] = [];
    for (let start = 0; start < boxes.length; start += BATCH) {
      const chunk = boxes.slice(start, start + BATCH);
      const input = patchBatch(image, chunk, 24);
      const out = tf.tidy(() => rnet(tf, tf.tensor4d(input, [chunk.length, 24, 24, 3]), this.params.rnet));
      const [prob, regions] = await Promise.all([out.prob.data<'float32'>(), out.regions.data<'float32'>()]);
      tf.dispose([out.prob, out.regions]);
      chunk.forEach((box, i) => {
        if (prob[i] > this.thresholds[1])
          kept.push({
            box,
            score: prob[i],
            reg: [regions[i * 4], regions[i * 4 + 1], regions[i * 4 + 2], regions[i * 4 + 3]],
          });
      });
    }
    return nms(kept, 0.7).map((c) => toSquare(calibrate(c.box, c.reg)));
  }

  /** O-Net on 48x48 crops: final score, box regression and five landmarks. Landmarks are relative
   * to the crop O-Net saw (before its own regression), as in the reference implementation. The
   * final merge drops boxes mostly inside a better one (overlap of the smaller box > 0.7). */
  private async stage3(image: RgbImage, boxes: readonly Box[]): Promise<Detection[]> {
    const tf = this.tf;
    const found: (Detection & { landmarks: FivePoints })[] = [];
    for (let start = 0; start < boxes.length; start += BATCH) {
      const chunk = boxes.slice(start, start + BATCH);
      const input = patchBatch(image, chunk, 48);
      const out = tf.tidy(() => onet(tf, tf.tensor4d(input, [chunk.length, 48, 48, 3]), this.params.onet));
      const [prob, regions, points] = await Promise.all([
        out.prob.data<'float32'>(),
        out.regions.data<'float32'>(),
        out.points.data<'float32'>(),
      ]);
      tf.dispose([out.prob, out.regions, out.points]);
      chunk.forEach((b, i) => {
        if (prob[i] <= this.thresholds[2]) return;
        const p = points.subarray(i * 10, i * 10 + 10);
        const landmarks = [0, 1, 2, 3, 4].map((k): Point => [b[0] + p[k] * b[2], b[1] + p[k + 5] * b[3]]) as FivePoints;
        const reg = [regions[i * 4], regions[i * 4 + 1], regions[i * 4 + 2], regions[i * 4 + 3]] as const;
        found.push({ box: clipBox(calibrate(b, reg), image.width, image.height), score: prob[i], landmarks });
      });
    }
    return nms(found, 1, 0.7);
  }

  async dispose(): Promise<void> {
    this.tf.dispose(Object.values(this.weights));
  }
}

/** Keep a box inside the image (faces cut by the border keep their visible part). */
function clipBox(b: Box, width: number, height: number): Box {
  const x1 = Math.max(0, b[0]);
  const y1 = Math.max(0, b[1]);
  const x2 = Math.min(width, b[0] + b[2]);
  const y2 = Math.min(height, b[1] + b[3]);
  return [x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1)];
}

export async function createMtcnnDetector(modelsDir: string, options: MtcnnOptions = {}): Promise<MtcnnDetector> {
  const { tf } = await initTfjs();
  const weights = await loadWeightMap(join(modelsDir, MTCNN_ID), 'mtcnn_model-weights_manifest.json');
  return new MtcnnDetector(tf, mtcnnParams(weights), weights, options);
}
