import { join } from 'node:path';
import type { Box, FivePoints, Point, RgbImage } from '#core/types.ts';
import { warpAffineAntialiased, type Affine } from '#core/vision/align.ts';
import { loadOnnxSession } from '#core/vision/runtime/onnx.ts';
import type { InferenceSession } from '#core/vision/runtime/types.ts';
import type { LandmarkLocator } from '#core/vision/types.ts';

/** Faceplugin's 68-point landmark net: a 64x64 grey crop of the (squared) face box, pixels / 256,
 * out come 68 (x, y) pairs in 0..1 of the crop. */
const SIZE = 64;

/** The square crop the net expects: side = box height (the detector's boxes are taller than wide),
 * centred on the box, shifted to stay inside the image when it can. */
export function landmarkCropSquare(box: Box, width: number, height: number): { x: number; y: number; side: number } {
  const side = Math.min(box[3], width, height);
  const cx = box[0] + box[2] / 2,
    cy = box[1] + box[3] / 2;
  let x = cx - side / 2,
    y = cy - side / 2;
  x = Math.max(0, Math.min(width - side, x));
  y = Math.max(0, Math.min(height - side, y));
  return { x, y, side };
}

/** 68 → 5 points (ArcFace order): eye centres from the 4 lid points of each eye, the nose tip, and
 * the mouth corners averaged over outer and inner lip contours. */
export function fivePointsFrom68(pts: readonly Point[]): FivePoints {
  const mean = (...idx: number[]): Point => [
    idx.reduce((s, i) => s + pts[i][0], 0) / idx.length,
    idx.reduce((s, i) => s + pts[i][1], 0) / idx.length,
  ];
  return [mean(37, 38, 40, 41), mean(43, 44, 46, 47), mean(30), mean(48, 60), mean(54, 64)];
}

export class Faceplugin68Locator implements LandmarkLocator {
  readonly id = 'faceplugin-landmark68';

  constructor(private readonly session: InferenceSession) {}

  async locate68(image: RgbImage, box: Box): Promise<Point[]> {
    const sq = landmarkCropSquare(box, image.width, image.height);
    const s = SIZE / sq.side;
    const m: Affine = [s, 0, -sq.x * s, 0, s, -sq.y * s];
    const crop = warpAffineAntialiased(image, m, SIZE, SIZE);
    const t = new Float32Array(SIZE * SIZE);
    const d = crop.data;
    for (let i = 0, p = 0; i < SIZE * SIZE; i++, p += 3)
      t[i] = (0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2]) / 256;
    const out = await this.session.run({ input: { data: t, dims: [1, 1, SIZE, SIZE] } });
    const v = out.output!.data;
    const pts: Point[] = [];
    for (let i = 0; i < 68; i++) pts.push([sq.x + v[i * 2] * sq.side, sq.y + v[i * 2 + 1] * sq.side]);
    return pts;
  }

  async locate(image: RgbImage, box: Box): Promise<FivePoints> {
    return fivePointsFrom68(await this.locate68(image, box));
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

export async function createFaceplugin68Locator(modelsDir: string, threads?: number): Promise<Faceplugin68Locator> {
  const session = await loadOnnxSession(
    join(modelsDir, 'faceplugin-landmark68', 'model.onnx'),
    threads === undefined ? {} : { threads },
  );
  return new Faceplugin68Locator(session);
}
