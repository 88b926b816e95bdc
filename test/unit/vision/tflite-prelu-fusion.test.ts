import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEngineConfig } from '#config/engine.ts';
import { initTfjs } from '#core/vision/runtime/tfjs.ts';
import { TfliteInterpreter } from '#core/vision/tflite/interpreter.ts';
import { parseTflite } from '#core/vision/tflite/schema.ts';

// MobileFaceNet.tflite spells each PReLU as RELU(x) + c*(x - ABS(x)) (5 ops). The interpreter
// fuses all 33 into a prelu (32 into the convolution before them); the embeddings of the fused
// program equal those of the op-by-op program.
describe('tflite PReLU fusion on MobileFaceNet', () => {
  it('fuses every spelled-out PReLU and changes no output', async () => {
    const { tf } = await initTfjs();
    const model = parseTflite(
      new Uint8Array(readFileSync(join(readEngineConfig({}).modelsDir, 'mobilefacenet', 'model.tflite'))),
    );
    const fused = new TfliteInterpreter(model);
    const plain = new TfliteInterpreter(model, { fusePrelu: false });
    expect(fused.fusedPrelus.intoConv + fused.fusedPrelus.standalone).toBe(33);
    expect(plain.fusedPrelus).toEqual({ intoConv: 0, standalone: 0 });
    // A smooth, face-sized input in the model's range (values (v - 127.5) / 128).
    const x = tf.tidy(() => tf.sin(tf.mul(tf.range(0, 2 * 112 * 112 * 3), 0.001)).reshape([2, 112, 112, 3]));
    const [a] = fused.run([x]);
    const [b] = plain.run([x]);
    const va = await a!.data(),
      vb = await b!.data();
    expect(va.length).toBe(2 * 192);
    let maxDiff = 0,
      maxAbs = 0;
    for (let i = 0; i < va.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(va[i]! - vb[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(vb[i]!));
    }
    expect(maxAbs).toBeGreaterThan(0.01);
    expect(maxDiff).toBeLessThan(1e-3 * maxAbs);
    for (const t of [x, a!, b!]) t.dispose();
    fused.dispose();
    plain.dispose();
  });
});
