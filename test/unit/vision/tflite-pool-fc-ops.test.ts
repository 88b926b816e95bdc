import { describe, expect, it } from 'vitest';
import { Opt, RELU, f32, runTestModel } from './tflite-test-model.ts';

/** Pooling and FULLY_CONNECTED against hand-computed results. TFLite's SAME average pool divides
 * by the number of in-image cells, not by the window size. */

const close = (got: number[], want: number[]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
};

const pool = (
  op: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D',
  pad: 'SAME' | 'VALID',
  size: number,
  stride: number,
  inShape: number[],
  outShape: number[],
) => ({
  tensors: [{ shape: inShape }, { shape: outShape }],
  inputs: [0],
  outputs: [1],
  ops: [
    {
      op,
      inputs: [0],
      outputs: [1],
      options: [
        Opt.padding(pad),
        { slot: Opt.pool.strideW, int32: stride },
        { slot: Opt.pool.strideH, int32: stride },
        { slot: Opt.pool.filterW, int32: size },
        { slot: Opt.pool.filterH, int32: size },
      ],
    },
  ],
});

describe('tflite pooling', () => {
  it('AVERAGE_POOL_2D SAME averages only the cells inside the image', async () => {
    const [y] = await runTestModel(pool('AVERAGE_POOL_2D', 'SAME', 2, 1, [1, 2, 2, 1], [1, 2, 2, 1]), [
      { shape: [1, 2, 2, 1], data: [1, 2, 3, 4] },
    ]);
    close(y.data, [2.5, 3, 3.5, 4]);
  });

  it('MAX_POOL_2D VALID 2x2 stride 2', async () => {
    const [y] = await runTestModel(pool('MAX_POOL_2D', 'VALID', 2, 2, [1, 4, 4, 1], [1, 2, 2, 1]), [
      { shape: [1, 4, 4, 1], data: Array.from({ length: 16 }, (_, i) => i + 1) },
    ]);
    close(y.data, [6, 8, 14, 16]);
  });
});

describe('tflite FULLY_CONNECTED', () => {
  it('weights [out, in], bias, fused RELU; inputs flattened to [-1, in]', async () => {
    const model = {
      tensors: [
        { shape: [1, 1, 1, 3] },
        { shape: [2, 3], data: f32(1, 0, 1, 0, 1, -1) },
        { shape: [2], data: f32(0.5, 0) },
        { shape: [1, 2] },
      ],
      inputs: [0],
      outputs: [3],
      ops: [{ op: 'FULLY_CONNECTED' as const, inputs: [0, 1, 2], outputs: [3] }],
    };
    const [y] = await runTestModel(model, [{ shape: [1, 1, 1, 3], data: [1, 2, 3] }]);
    expect(y.shape).toEqual([1, 2]);
    close(y.data, [4.5, -1]);
    const [r] = await runTestModel({ ...model, ops: [{ ...model.ops[0], options: [{ slot: 0, int8: RELU }] }] }, [
      { shape: [1, 1, 1, 3], data: [1, 2, 3] },
    ]);
    close(r.data, [4.5, 0]);
  });
});
