import { expect, it } from 'vitest';
import { indexOfFaceNearestCentre } from '#core/vision/select.ts';
import { verificationMetrics } from '#core/metrics/verification.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from './helpers.ts';

// Identity vectors: on lfw-120, same-person pairs score above different-person pairs (all pairs,
// the main face = the one nearest the image centre).
describeWithData('verification on lfw-120', () => {
  it('separates same from different people (AUC > 0.99, TAR@FAR=1e-3 > 0.95)', async () => {
    const analyzer = await defaultAnalyzer();
    const vectors: Float32Array[] = [];
    const labels: string[] = [];
    let missed = 0;
    try {
      for (const [id, file] of labelledFiles('lfw-120')) {
        // Detect and align everything, embed only the main face (the split pipeline's path).
        const photo = await analyzer.analyze(readBytes(file), { embed: false });
        const i = indexOfFaceNearestCentre(photo.faces, photo.width, photo.height);
        if (i < 0) {
          missed++;
          continue;
        }
        const [embedding] = await analyzer.embedCrops([photo.faces[i]!.crop]);
        if (!embedding) throw new Error('no vector');
        expect(embedding.modelId).toBe(analyzer.embedderId);
        vectors.push(embedding.vector);
        labels.push(id);
      }
    } finally {
      await analyzer.dispose();
    }
    const m = verificationMetrics(vectors, labels, 1e-3);
    expect(missed).toBeLessThanOrEqual(1);
    expect(m.same_pairs).toBeGreaterThan(300);
    expect(m.auc).toBeGreaterThan(0.99);
    expect(m.tar_at_far).toBeGreaterThan(0.95);
  });
});
