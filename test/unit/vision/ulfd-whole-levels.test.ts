import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readEngineConfig } from '#config/engine.ts';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import {
  decodeUlfd,
  ulfdAnchors,
  ulfdForAnySize,
  ULFD_LOGITS,
  ULFD_REGRESSIONS,
} from '#core/vision/detectors/ulfd-any-size.ts';
import { iou } from '#core/vision/nms.ts';
import { loadOnnxSession } from '#core/vision/runtime/onnx.ts';
import type { InferenceSession } from '#core/vision/runtime/types.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { at12Mp, defaultAnalyzer } from './helpers.ts';

/** The detector's pyramid levels as single inputs: the ULFD graph rewritten for any input size,
 * decoded in code, gives the shipped graph's scores and boxes at its own 320x240, and as many
 * anchors as the network has outputs at other sizes; on group photos at 12 MP the whole levels find
 * the faces the 320x240 tiles find. */

const modelsDir = readEngineConfig({}).modelsDir;

async function netInput(file: string, w: number, h: number): Promise<Float32Array> {
  const { data } = await sharp(file).resize(w, h, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const t = new Float32Array(3 * w * h);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) t[c * w * h + i] = (data[i * 3 + c]! - 127) / 128;
  return t;
}

describeWithData('ULFD on any input size', () => {
  let shipped: InferenceSession;
  let anySize: InferenceSession;
  beforeAll(async () => {
    const bytes = new Uint8Array(await readFile(join(modelsDir, 'ulfd-rfb320', 'model.onnx')));
    const rewritten = ulfdForAnySize(bytes);
    expect(rewritten).toBeDefined();
    [shipped, anySize] = await Promise.all([
      loadOnnxSession(bytes, { threads: 1 }),
      loadOnnxSession(rewritten!, { threads: 1 }),
    ]);
  });
  afterAll(async () => Promise.all([shipped.dispose(), anySize.dispose()]));

  it("reproduces the shipped graph's scores and boxes at 320x240", async () => {
    const input = await netInput(dataPath('group', 'bbt', 'bbt1.jpg'), 320, 240);
    const want = await shipped.run({ input: { data: input, dims: [1, 3, 240, 320] } });
    const raw = await anySize.run({ input: { data: input, dims: [1, 3, 240, 320] } });
    const got = decodeUlfd(raw[ULFD_LOGITS]!.data, raw[ULFD_REGRESSIONS]!.data, ulfdAnchors(320, 240), 320, 240, 0);
    expect(got.length).toBe(4420);
    const scores = want.scores!.data;
    const boxes = want.boxes!.data;
    expect(got.filter((c) => c.score >= 0.7).length).toBeGreaterThan(0);
    got.forEach((c, i) => {
      expect(Math.abs(c.score - scores[i * 2 + 1]!)).toBeLessThan(1e-5);
      expect(Math.abs(c.x1 - boxes[i * 4]! * 320)).toBeLessThan(1e-3);
      expect(Math.abs(c.y1 - boxes[i * 4 + 1]! * 240)).toBeLessThan(1e-3);
      expect(Math.abs(c.x2 - boxes[i * 4 + 2]! * 320)).toBeLessThan(1e-3);
      expect(Math.abs(c.y2 - boxes[i * 4 + 3]! * 240)).toBeLessThan(1e-3);
    });
  });

  it('has one anchor per network output at padded sizes', async () => {
    for (const [w, h] of [
      [640, 512],
      [1280, 960],
      [448, 1024],
    ] as const) {
      const raw = await anySize.run({ input: { data: new Float32Array(3 * w * h), dims: [1, 3, h, w] } });
      expect(raw[ULFD_LOGITS]!.data.length / 2).toBe(ulfdAnchors(w, h).length / 4);
    }
  });
});

describeWithData('whole pyramid levels vs tiles on 12 MP group photos', () => {
  const photos = ['bbt/bbt1.jpg', 'insightface/t1.jpg', 'human/group-1.jpg', 'human/stock-group-2.jpg'];
  let whole: FaceAnalyzer;
  let tiles: FaceAnalyzer;
  beforeAll(async () => {
    [whole, tiles] = await Promise.all([defaultAnalyzer(), defaultAnalyzer({ graphRewrites: false })]);
  });
  afterAll(async () => Promise.all([whole.dispose(), tiles.dispose()]));

  it('find the same faces (IoU >= 0.5), all but at most one per 20', async () => {
    let matched = 0;
    let total = 0;
    let found = 0;
    for (const file of photos) {
      const bytes = await at12Mp(dataPath('group', file));
      const [a, b] = await Promise.all([
        whole.analyze(bytes, { embed: false }),
        tiles.analyze(bytes, { embed: false }),
      ]);
      total += b.faces.length;
      found += a.faces.length;
      matched += b.faces.filter((t) => a.faces.some((w) => iou(w.box, t.box) >= 0.5)).length;
    }
    expect(total).toBeGreaterThan(20);
    expect(matched).toBeGreaterThanOrEqual(Math.ceil(total * 0.95));
    expect(Math.abs(found - total)).toBeLessThanOrEqual(Math.ceil(total / 20));
  });
});
