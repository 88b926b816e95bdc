import { describe, expect, it } from 'vitest';
import { RELU6, f32, runTestModel } from './tflite-test-model.ts';

/** Element-wise and shape ops on tiny tensors against hand-computed results, including
 * broadcasting and fused activations. */

const close = (got: number[], want: number[]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
};

const binary = (op: 'ADD' | 'SUB' | 'MUL' | 'DIV', activation?: number) => ({
  tensors: [{ shape: [1, 3] }, { shape: [1, 3] }, { shape: [1, 3] }],
  inputs: [0, 1],
  outputs: [2],
  ops: [
    {
      op,
      inputs: [0, 1],
      outputs: [2],
      ...(activation === undefined ? {} : { options: [{ slot: 0, int8: activation }] }),
    },
  ],
});

describe('tflite element-wise ops', () => {
  it('ADD with fused RELU6 clips to [0, 6]', async () => {
    const [y] = await runTestModel(binary('ADD', RELU6), [
      { shape: [1, 3], data: [1, 5, -3] },
      { shape: [1, 3], data: [2, 4, 1] },
    ]);
    close(y.data, [3, 6, 0]);
  });

  it('SUB and DIV keep operand order', async () => {
    const [s] = await runTestModel(binary('SUB'), [
      { shape: [1, 3], data: [1, 5, -3] },
      { shape: [1, 3], data: [2, 4, 1] },
    ]);
    close(s.data, [-1, 1, -4]);
    const [d] = await runTestModel(binary('DIV'), [
      { shape: [1, 3], data: [1, 8, -3] },
      { shape: [1, 3], data: [2, 4, 1] },
    ]);
    close(d.data, [0.5, 2, -3]);
  });

  it('MUL broadcasts a per-channel constant over NHWC', async () => {
    const [y] = await runTestModel(
      {
        tensors: [{ shape: [2], data: f32(10, -1) }, { shape: [1, 1, 2, 2] }, { shape: [1, 1, 2, 2] }],
        inputs: [1],
        outputs: [2],
        ops: [{ op: 'MUL', inputs: [0, 1], outputs: [2] }],
      },
      [{ shape: [1, 1, 2, 2], data: [1, 2, 3, 4] }],
    );
    close(y.data, [10, -2, 30, -4]);
  });

  it('PRELU scales negatives by a per-channel alpha', async () => {
    const [y] = await runTestModel(
      {
        tensors: [{ shape: [1, 1, 2, 2] }, { shape: [2], data: f32(0.1, 0.5) }, { shape: [1, 1, 2, 2] }],
        inputs: [0],
        outputs: [2],
        ops: [{ op: 'PRELU', inputs: [0, 1], outputs: [2] }],
      },
      [{ shape: [1, 1, 2, 2], data: [-2, -1, 0, 3] }],
    );
    close(y.data, [-0.2, -0.5, 0, 3]);
  });

  it('RELU, RELU6, ABS, LOGISTIC', async () => {
    const x = [{ shape: [1, 4], data: [-2, 0.5, 3, 8] }];
    const unary = (op: 'RELU' | 'RELU6' | 'ABS' | 'LOGISTIC') => ({
      tensors: [{ shape: [1, 4] }, { shape: [1, 4] }],
      inputs: [0],
      outputs: [1],
      ops: [{ op, inputs: [0], outputs: [1] }],
    });
    close((await runTestModel(unary('RELU'), x))[0].data, [0, 0.5, 3, 8]);
    close((await runTestModel(unary('RELU6'), x))[0].data, [0, 0.5, 3, 6]);
    close((await runTestModel(unary('ABS'), x))[0].data, [2, 0.5, 3, 8]);
    close(
      (await runTestModel(unary('LOGISTIC'), x))[0].data,
      [-2, 0.5, 3, 8].map((v) => 1 / (1 + Math.exp(-v))),
    );
  });

  it("MobileFaceNet's PReLU spelled as RELU(x) + a*(x - ABS(x)) gives the PReLU values", async () => {
    // tensors: 0 x, 1 relu, 2 abs, 3 x-abs, 4 alpha/2 (const), 5 mul, 6 out
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 1, 1, 2] },
          { shape: [1, 1, 1, 2] },
          { shape: [1, 1, 1, 2] },
          { shape: [1, 1, 1, 2] },
          { shape: [2], data: f32(0.05, 0.25) },
          { shape: [1, 1, 1, 2] },
          { shape: [1, 1, 1, 2] },
        ],
        inputs: [0],
        outputs: [6],
        ops: [
          { op: 'RELU', inputs: [0], outputs: [1] },
          { op: 'ABS', inputs: [0], outputs: [2] },
          { op: 'SUB', inputs: [0, 2], outputs: [3] },
          { op: 'MUL', inputs: [4, 3], outputs: [5] },
          { op: 'ADD', inputs: [1, 5], outputs: [6] },
        ],
      },
      [{ shape: [1, 1, 1, 2], data: [-4, -4] }],
    );
    close(y.data, [-0.4, -2]);
  });
});

describe('tflite shape ops', () => {
  it('RESHAPE lets the batch follow the input when the file baked in its export batch', async () => {
    const [y] = await runTestModel(
      {
        tensors: [{ shape: [2, 1, 1, 3] }, { shape: [2], type: 2, data: Int32Array.from([2, 3]) }, { shape: [2, 3] }],
        inputs: [0],
        outputs: [2],
        ops: [{ op: 'RESHAPE', inputs: [0, 1], outputs: [2], options: [{ slot: 0, int32s: [2, 3] }] }],
      },
      [{ shape: [5, 1, 1, 3], data: Array.from({ length: 15 }, (_, i) => i) }],
    );
    expect(y.shape).toEqual([5, 3]);
    close(
      y.data,
      Array.from({ length: 15 }, (_, i) => i),
    );
  });

  it('CONCATENATION on the last axis, PAD, MEAN over H and W, L2_NORMALIZATION', async () => {
    const [c] = await runTestModel(
      {
        tensors: [{ shape: [1, 2] }, { shape: [1, 1] }, { shape: [1, 3] }],
        inputs: [0, 1],
        outputs: [2],
        ops: [{ op: 'CONCATENATION', inputs: [0, 1], outputs: [2], options: [{ slot: 0, int32: -1 }] }],
      },
      [
        { shape: [1, 2], data: [1, 2] },
        { shape: [1, 1], data: [3] },
      ],
    );
    close(c.data, [1, 2, 3]);

    const [p] = await runTestModel(
      {
        tensors: [
          { shape: [1, 1, 2, 1] },
          { shape: [4, 2], type: 2, data: Int32Array.from([0, 0, 1, 0, 0, 1, 0, 0]) },
          { shape: [1, 2, 3, 1] },
        ],
        inputs: [0],
        outputs: [2],
        ops: [{ op: 'PAD', inputs: [0, 1], outputs: [2] }],
      },
      [{ shape: [1, 1, 2, 1], data: [7, 8] }],
    );
    expect(p.shape).toEqual([1, 2, 3, 1]);
    close(p.data, [0, 0, 0, 7, 8, 0]);

    const [m] = await runTestModel(
      {
        tensors: [{ shape: [1, 2, 2, 2] }, { shape: [2], type: 2, data: Int32Array.from([1, 2]) }, { shape: [1, 2] }],
        inputs: [0],
        outputs: [2],
        ops: [{ op: 'MEAN', inputs: [0, 1], outputs: [2] }],
      },
      [{ shape: [1, 2, 2, 2], data: [1, 10, 2, 20, 3, 30, 4, 40] }],
    );
    expect(m.shape).toEqual([1, 2]);
    close(m.data, [2.5, 25]);

    const [n] = await runTestModel(
      {
        tensors: [{ shape: [1, 2] }, { shape: [1, 2] }],
        inputs: [0],
        outputs: [1],
        ops: [{ op: 'L2_NORMALIZATION', inputs: [0], outputs: [1] }],
      },
      [{ shape: [1, 2], data: [3, -4] }],
    );
    close(n.data, [0.6, -0.8]);
  });
});
