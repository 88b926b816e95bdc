import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import type { AnalyzedPhoto } from '#core/vision/types.ts';
import { iou } from '#core/vision/nms.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { at12Mp, defaultAnalyzer } from './helpers.ts';

// Phone-size JPEGs are decoded at a quarter of the working size first, and at the working size only
// when the detector's finest level runs. The faces must be those of the one-decode path: the same
// count, the same boxes, vectors of the same person. A crowd at 12 MP needs the finest level (its
// small faces are lost without the sharper copy); a portrait at 12 MP does not.
const PHOTOS = [
  ['a crowd', dataPath('group', 'human/stock-group-1.jpg')],
  ['a group', dataPath('group', 'bbt/bbt3.jpg')],
  ['a portrait', dataPath('lfw-120', 'Aaron_Eckhart', 'Aaron_Eckhart_0001.jpg')],
] as const;

const cosine = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

describeWithData('progressive decode of phone-size photos', () => {
  let progressive: FaceAnalyzer, oneDecode: FaceAnalyzer;
  const results = new Map<string, { progressive: AnalyzedPhoto; oneDecode: AnalyzedPhoto }>();

  beforeAll(async () => {
    [progressive, oneDecode] = await Promise.all([defaultAnalyzer(), defaultAnalyzer({ progressiveDecode: false })]);
    for (const [, file] of PHOTOS) {
      const bytes = await at12Mp(file);
      results.set(file, { progressive: await progressive.analyze(bytes), oneDecode: await oneDecode.analyze(bytes) });
    }
  }, 120_000);
  afterAll(async () => Promise.all([progressive?.dispose(), oneDecode?.dispose()]));

  it.each(PHOTOS)('finds the faces of the one-decode path in %s', (_, file) => {
    const r = results.get(file)!;
    expect(r.oneDecode.faces.length).toBeGreaterThan(0);
    expect(r.progressive.faces.length).toBe(r.oneDecode.faces.length);
    for (const face of r.oneDecode.faces) {
      const match = r.progressive.faces
        .map((f) => ({ f, overlap: iou(f.box, face.box) }))
        .sort((a, b) => b.overlap - a.overlap)[0]!;
      expect(match.overlap).toBeGreaterThan(0.8);
      expect(cosine(match.f.embedding!.vector, face.embedding!.vector)).toBeGreaterThan(0.9);
    }
  });

  it('reports the photo at its full size in both paths', () => {
    for (const r of results.values()) {
      expect([r.progressive.width, r.progressive.height]).toEqual([r.oneDecode.width, r.oneDecode.height]);
    }
  });
});
