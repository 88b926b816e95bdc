import { afterAll, beforeAll, expect, it } from 'vitest';
import { readEngineConfig } from '#config/engine.ts';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { isImageDecodeError } from '#core/vision/decode.ts';
import { createAnalyzerPool, type AnalyzerPool } from '#core/vision/pool.ts';
import { cosine } from '#core/vision/vector.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from './helpers.ts';

// The worker pool gives the same faces and vectors as an in-process analyzer, runs photos
// concurrently, and turns bad photos into typed errors without losing a worker.
describeWithData('analyzer worker pool', () => {
  let pool: AnalyzerPool;
  let local: FaceAnalyzer;
  beforeAll(async () => {
    [pool, local] = await Promise.all([createAnalyzerPool(readEngineConfig({}), { size: 2 }), defaultAnalyzer()]);
  });
  afterAll(async () => {
    await Promise.all([pool?.close(), local?.dispose()]);
  });

  it('matches the in-process analyzer, and survives bad inputs', async () => {
    const photos = [
      ...labelledFiles('lfw-120')
        .slice(0, 6)
        .map(([, f]) => f),
      dataPath('group', 'pascal', '2007_007763.jpg'),
    ];
    const inputs: Uint8Array[] = photos.map(readBytes);
    inputs.splice(3, 0, new Uint8Array(), new TextEncoder().encode('not an image'));
    const results = await Promise.allSettled(inputs.map((b) => pool.analyze(b)));
    expect(results.filter((r) => r.status === 'rejected').length).toBe(2);
    for (const r of results) if (r.status === 'rejected') expect(isImageDecodeError(r.reason)).toBe(true);

    const pooled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(pooled.length).toBe(photos.length);
    expect(pool.embedderId).toBe(local.embedderId);
    for (const [i, file] of photos.entries()) {
      const expected = await local.analyze(readBytes(file));
      const got = pooled[i]!;
      expect(got.faces.length).toBe(expected.faces.length);
      got.faces.forEach((f, j) => {
        const e = expected.faces[j]!;
        f.box.forEach((v, k) => expect(v).toBeCloseTo(e.box[k]!, 1));
        expect(f.crop.data).toBeInstanceOf(Uint8Array);
        expect(f.embedding!.modelId).toBe(e.embedding!.modelId);
        // One vs two inference threads may reorder float sums: equal up to rounding.
        expect(cosine(f.embedding!.vector, e.embedding!.vector)).toBeGreaterThan(0.9999);
      });
    }
    // Workers are still alive after the failures.
    expect(pool.size).toBe(2);
    const vectors = await pool.embedCrops([pooled[0]!.faces[0]!.crop]);
    expect(vectors[0]!.vector.length).toBe(pool.embedderDim);
  });
});
