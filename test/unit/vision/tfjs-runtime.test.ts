import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { initTfjs } from '#core/vision/runtime/tfjs.ts';

// TensorFlow.js starts once per process on the best backend installed: tfjs-node when the optional
// native package resolves, else WebAssembly (never the slow pure-JS CPU fallback), and reports it.
function resolvable(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('tfjs runtime', () => {
  it('initialises once on the best available backend and reports it', async () => {
    const [a, b] = await Promise.all([initTfjs(), initTfjs()]);
    expect(b).toBe(a);
    expect(await initTfjs()).toBe(a);
    const expected = resolvable('@tensorflow/tfjs-node') ? 'tfjs-node' : 'tfjs-wasm';
    expect(a.backend).toBe(expected);
    expect(a.tf.getBackend()).toBe(expected === 'tfjs-node' ? 'tensorflow' : 'wasm');
    // The backend computes: a 3x3 box filter over a ramp.
    const x = a.tf.tensor4d(
      Array.from({ length: 25 }, (_, i) => i),
      [1, 5, 5, 1],
    );
    const y = a.tf.conv2d(x, a.tf.ones([3, 3, 1, 1]), 1, 'valid');
    expect(Array.from(await y.data())).toEqual([54, 63, 72, 99, 108, 117, 144, 153, 162]);
    a.tf.dispose([x, y]);
  });
});
