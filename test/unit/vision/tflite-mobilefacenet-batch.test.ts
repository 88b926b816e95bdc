import { afterAll, beforeAll, expect, it } from 'vitest';
import { readEngineConfig } from '#config/engine.ts';
import type { FaceVector, RgbImage } from '#core/types.ts';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { createMobileFaceNetEmbedder, type MobileFaceNetEmbedder } from '#core/vision/embedders/mobilefacenet.ts';
import { indexOfFaceNearestCentre } from '#core/vision/select.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from './helpers.ts';

// A face's MobileFaceNet vector does not depend on how it was computed: the TFLite interpreter on
// tfjs or the ONNX rewrite on ONNX Runtime, one crop at a time, in pairs (the file's export batch)
// or in a batch of 5.
describeWithData('mobilefacenet: same vector whatever the runtime and batch', () => {
  let analyzer: FaceAnalyzer;
  const embedders: Record<string, MobileFaceNetEmbedder> = {};
  const crops: RgbImage[] = [];
  beforeAll(async () => {
    analyzer = await defaultAnalyzer();
    const modelsDir = readEngineConfig({}).modelsDir;
    embedders['tfjs batch 8'] = await createMobileFaceNetEmbedder(modelsDir, { runtime: 'tfjs', batchSize: 8 });
    embedders['tfjs batch 2'] = await createMobileFaceNetEmbedder(modelsDir, { runtime: 'tfjs', batchSize: 2 });
    embedders['tfjs batch 1'] = await createMobileFaceNetEmbedder(modelsDir, { runtime: 'tfjs', batchSize: 1 });
    embedders['onnx batch 1'] = await createMobileFaceNetEmbedder(modelsDir, {
      runtime: 'onnx',
      batchSize: 1,
      threads: 1,
    });
    embedders['onnx batch 5'] = await createMobileFaceNetEmbedder(modelsDir, {
      runtime: 'onnx',
      batchSize: 5,
      threads: 1,
    });
    for (const [, file] of labelledFiles('lfw-120')
      .filter((_, i) => i % 50 === 0)
      .slice(0, 5)) {
      const photo = await analyzer.analyze(readBytes(file), { embed: false });
      crops.push(photo.faces[indexOfFaceNearestCentre(photo.faces, photo.width, photo.height)]!.crop);
    }
  });
  afterAll(async () => {
    await analyzer?.dispose();
    for (const e of Object.values(embedders)) await e.dispose();
  });

  it('agrees to 1e-4 across runtimes and batch sizes', async () => {
    expect(crops).toHaveLength(5);
    expect(embedders['tfjs batch 8']!.backend).toMatch(/^tfjs-/);
    expect(embedders['onnx batch 1']!.backend).toBe('onnxruntime-node');
    const results: Record<string, FaceVector[]> = {};
    for (const [name, e] of Object.entries(embedders)) results[name] = await e.embed(crops);
    const reference = results['tfjs batch 8']!;
    for (const [name, vectors] of Object.entries(results)) {
      expect(vectors, name).toHaveLength(5);
      for (let i = 0; i < crops.length; i++) {
        let maxDiff = 0;
        for (let k = 0; k < 192; k++)
          maxDiff = Math.max(maxDiff, Math.abs(reference[i]!.vector[k]! - vectors[i]!.vector[k]!));
        expect(maxDiff, `${name}, face ${i}`).toBeLessThan(1e-4);
      }
    }
    // And different faces do give different vectors.
    let dot = 0;
    for (let k = 0; k < 192; k++) dot += reference[0]!.vector[k]! * reference[1]!.vector[k]!;
    expect(dot).toBeLessThan(0.9);
  });
});
