import { afterAll, beforeAll, expect, it } from 'vitest';
import { readEngineConfig } from '#config/engine.ts';
import type { FaceVector, RgbImage } from '#core/types.ts';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { createMobileFaceNetEmbedder, type MobileFaceNetEmbedder } from '#core/vision/embedders/mobilefacenet.ts';
import { indexOfFaceNearestCentre } from '#core/vision/select.ts';
import { verificationMetrics } from '#core/metrics/verification.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from './helpers.ts';

// MobileFaceNet.tflite through our TFLite interpreter: on a subset of lfw-120 (faces found and
// aligned on the ArcFace template by the default analyzer, main face = nearest the centre),
// same-person cosine similarities rank above different-person ones, and the vectors are 192-D,
// unit length and tagged with the model.
describeWithData('mobilefacenet (TFLite) verification on an lfw-120 subset', () => {
  let analyzer: FaceAnalyzer;
  let embedder: MobileFaceNetEmbedder;
  beforeAll(async () => {
    analyzer = await defaultAnalyzer();
    embedder = await createMobileFaceNetEmbedder(readEngineConfig({}).modelsDir);
  });
  afterAll(async () => {
    await analyzer?.dispose();
    await embedder?.dispose();
  });

  /** Two images of every person with several, plus 20 one-image people as distractors. */
  function subset(): [string, string][] {
    const byId = new Map<string, string[]>();
    for (const [id, file] of labelledFiles('lfw-120')) byId.set(id, [...(byId.get(id) ?? []), file]);
    const many = [...byId]
      .filter(([, f]) => f.length >= 2)
      .flatMap(([id, f]) => f.slice(0, 2).map((file): [string, string] => [id, file]));
    const singles = [...byId]
      .filter(([, f]) => f.length === 1)
      .slice(0, 20)
      .map(([id, f]): [string, string] => [id, f[0]!]);
    return [...many, ...singles];
  }

  it('AUC > 0.95 over all pairs, vectors 192-D and unit length', async () => {
    const crops: RgbImage[] = [];
    const labels: string[] = [];
    for (const [id, file] of subset()) {
      const photo = await analyzer.analyze(readBytes(file), { embed: false });
      if (photo.faces.length === 0) continue;
      crops.push(photo.faces[indexOfFaceNearestCentre(photo.faces, photo.width, photo.height)]!.crop);
      labels.push(id);
    }
    expect(crops.length).toBeGreaterThan(90);
    const vectors: FaceVector[] = await embedder.embed(crops);
    expect(vectors).toHaveLength(crops.length);
    for (const v of vectors) {
      expect(v.modelId).toBe('mobilefacenet');
      expect(v.modelVersion).toMatch(/^1\.0\.24\+[0-9a-f]{12}$/); // package version + content hash
      expect(v.vector).toHaveLength(192);
      expect(Math.hypot(...v.vector)).toBeCloseTo(1, 4);
    }
    const m = verificationMetrics(
      vectors.map((v) => v.vector),
      labels,
    );
    expect(m.same_pairs).toBeGreaterThan(30);
    expect(m.auc).toBeGreaterThan(0.95);
  });
});
