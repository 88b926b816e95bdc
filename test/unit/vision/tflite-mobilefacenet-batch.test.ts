import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEngineConfig } from '#config/engine.ts';
import type { RgbImage } from '#core/types.ts';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { createMobileFaceNetEmbedder, type MobileFaceNetEmbedder } from '#core/vision/embedders/mobilefacenet.ts';
import { indexOfFaceNearestCentre } from '#core/vision/select.ts';
import { hasData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from './helpers.ts';

// The model file was exported with a fixed batch of 2; the interpreter lets the batch follow the
// input. A face's vector must not depend on which batch it travelled in (1, 2 as exported, 5, or
// split into chunks).
describe.skipIf(!hasData)('mobilefacenet (TFLite) batch invariance', () => {
  let analyzer: FaceAnalyzer;
  let batched: MobileFaceNetEmbedder;
  let chunked: MobileFaceNetEmbedder;
  const crops: RgbImage[] = [];
  beforeAll(async () => {
    analyzer = await defaultAnalyzer();
    const modelsDir = readEngineConfig({}).modelsDir;
    batched = await createMobileFaceNetEmbedder(modelsDir, { batchSize: 8 });
    chunked = await createMobileFaceNetEmbedder(modelsDir, { batchSize: 2 });
    for (const [, file] of labelledFiles('lfw-120').filter((_, i) => i % 50 === 0).slice(0, 5)) {
      const photo = await analyzer.analyze(readBytes(file), { embed: false });
      crops.push(photo.faces[indexOfFaceNearestCentre(photo.faces, photo.width, photo.height)]!.crop);
    }
  });
  afterAll(async () => {
    await analyzer?.dispose();
    await batched?.dispose();
    await chunked?.dispose();
  });

  it('one-by-one, pairs and a batch of 5 give the same vectors', async () => {
    expect(crops).toHaveLength(5);
    const all = await batched.embed(crops);
    const pairs = await chunked.embed(crops);
    const single = await Promise.all(crops.map(async (c) => (await batched.embed([c]))[0]!));
    for (let i = 0; i < crops.length; i++) {
      for (const other of [pairs[i]!, single[i]!]) {
        let maxDiff = 0;
        for (let k = 0; k < 192; k++) maxDiff = Math.max(maxDiff, Math.abs(all[i]!.vector[k]! - other.vector[k]!));
        expect(maxDiff).toBeLessThan(1e-4);
      }
    }
    // And different faces do give different vectors.
    let dot = 0;
    for (let k = 0; k < 192; k++) dot += all[0]!.vector[k]! * all[1]!.vector[k]!;
    expect(dot).toBeLessThan(0.9);
  });
});
