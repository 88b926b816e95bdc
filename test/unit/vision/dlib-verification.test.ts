import { expect, it } from 'vitest';
import { readEngineConfig } from '#config/engine.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import { indexOfFaceNearestCentre } from '#core/vision/select.ts';
import { verificationMetrics } from '#core/metrics/verification.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { labelledFiles, readBytes } from './helpers.ts';

// The 128-D dlib ResNet (MTCNN landmarks → dlib chip alignment): on a small lfw-120 subset (two
// photos each of the first 20 people with at least two), same-person pairs score above
// different-person pairs, and every vector is a unit 128-D vector tagged with the model.
describeWithData('dlib-resnet128 verification on an lfw-120 subset', () => {
  it('scores same-person pairs above different-person pairs', async () => {
    const byId = new Map<string, string[]>();
    for (const [id, file] of labelledFiles('lfw-120')) byId.set(id, [...(byId.get(id) ?? []), file]);
    const subset = [...byId].filter(([, files]) => files.length >= 2).slice(0, 20);

    const analyzer = await createFaceAnalyzer(
      readEngineConfig({ RANKFACE_DETECTOR: 'mtcnn', RANKFACE_EMBEDDER: 'dlib-resnet128' }),
    );
    const vectors: Float32Array[] = [];
    const labels: string[] = [];
    try {
      for (const [id, files] of subset) {
        for (const file of files.slice(0, 2)) {
          const photo = await analyzer.analyze(readBytes(file));
          const i = indexOfFaceNearestCentre(photo.faces, photo.width, photo.height);
          expect(i, `no face in ${file}`).toBeGreaterThanOrEqual(0);
          const e = photo.faces[i]!.embedding!;
          expect(e.modelId).toBe('dlib-resnet128');
          expect(e.vector).toHaveLength(128);
          expect(Math.hypot(...e.vector)).toBeCloseTo(1, 4);
          vectors.push(e.vector);
          labels.push(id);
        }
      }
    } finally {
      await analyzer.dispose();
    }
    const m = verificationMetrics(vectors, labels);
    expect(m.same_pairs).toBe(20);
    expect(m.auc).toBeGreaterThan(0.98);
    // Every same-person pair is closer than 95% of the different-person pairs (dlib's vectors sit
    // in a narrow cone: different people still score ~0.8 cosine, so compare ranks, not values).
    const same: number[] = [];
    const diff: number[] = [];
    for (let a = 0; a < vectors.length; a++) {
      for (let b = a + 1; b < vectors.length; b++) {
        let dot = 0;
        for (let k = 0; k < 128; k++) dot += vectors[a]![k]! * vectors[b]![k]!;
        (labels[a] === labels[b] ? same : diff).push(dot);
      }
    }
    diff.sort((x, y) => x - y);
    const p95 = diff[Math.floor(diff.length * 0.95)]!;
    expect(Math.min(...same)).toBeGreaterThan(p95);
  });
});
