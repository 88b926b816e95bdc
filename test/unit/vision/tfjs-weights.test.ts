import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWeightMap } from '#core/vision/runtime/tfjs.ts';
import { repoRoot } from '#test/helpers/data.ts';

// Weights in face-api.js's format (manifest + binary shards, some uint8-quantised) load from a
// folder on disk into tensors of the manifest's names and shapes, dequantised to float32.
describe('tfjs weights from disk', () => {
  it.each([
    ['mtcnn', 'mtcnn_model-weights_manifest.json'],
    ['dlib-resnet128', 'face_recognition_model-weights_manifest.json'],
  ])('%s', async (id, manifestFile) => {
    const dir = join(repoRoot, 'models', id);
    const manifest = JSON.parse(readFileSync(join(dir, manifestFile), 'utf8')) as {
      weights: { name: string; shape: number[]; quantization?: { min: number; scale: number } }[];
    }[];
    const entries = manifest.flatMap((g) => g.weights);
    const weights = await loadWeightMap(dir, manifestFile);
    try {
      expect(Object.keys(weights).sort()).toEqual(entries.map((e) => e.name).sort());
      for (const e of entries) {
        const t = weights[e.name]!;
        expect(t.shape).toEqual(e.shape);
        expect(t.dtype).toBe('float32');
        const values = await t.data();
        expect(values.every(Number.isFinite)).toBe(true);
        // Dequantised values stay on the grid min + k * scale, k in 0..255.
        if (e.quantization) {
          const { min, scale } = e.quantization;
          for (const v of values.slice(0, 16)) {
            const k = (v - min) / scale;
            expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-2);
            expect(Math.round(k)).toBeGreaterThanOrEqual(0);
            expect(Math.round(k)).toBeLessThanOrEqual(255);
          }
        }
      }
    } finally {
      for (const t of Object.values(weights)) t.dispose();
    }
  });
});
