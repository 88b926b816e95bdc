import { describe, expect, it } from 'vitest';
import { Opt, RELU, f32, runTestModel } from './tflite-test-model.ts';

/** CONV_2D and DEPTHWISE_CONV_2D on tiny tensors against results worked out by hand: padding
 * (SAME pads bottom/right first, as TensorFlow does), strides, dilation, fused activation, and the
 * weight layouts (TFLite OHWI and 1HWC). */

const grid = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const close = (got: number[], want: number[]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
};

describe('tflite CONV_2D', () => {
  it('SAME padding, stride 1: 3x3 box sum over a 3x3 image', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 3, 3, 1] },
          { shape: [1, 3, 3, 1], data: new Float32Array(9).fill(1) },
          { shape: [1], data: f32(0) },
          { shape: [1, 3, 3, 1] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [
          {
            op: 'CONV_2D',
            inputs: [0, 1, 2],
            outputs: [3],
            options: [Opt.padding('SAME'), { slot: 1, int32: 1 }, { slot: 2, int32: 1 }],
          },
        ],
      },
      [{ shape: [1, 3, 3, 1], data: grid(9) }],
    );
    expect(y.shape).toEqual([1, 3, 3, 1]);
    close(y.data, [12, 21, 16, 27, 45, 33, 24, 39, 28]);
  });

  it('bias and fused RELU', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 3, 3, 1] },
          { shape: [1, 3, 3, 1], data: new Float32Array(9).fill(1) },
          { shape: [1], data: f32(-30) },
          { shape: [1, 3, 3, 1] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [
          {
            op: 'CONV_2D',
            inputs: [0, 1, 2],
            outputs: [3],
            options: [
              Opt.padding('SAME'),
              { slot: 1, int32: 1 },
              { slot: 2, int32: 1 },
              { slot: Opt.conv.activation, int8: RELU },
            ],
          },
        ],
      },
      [{ shape: [1, 3, 3, 1], data: grid(9) }],
    );
    close(y.data, [0, 0, 0, 0, 15, 3, 0, 9, 0]);
  });

  it('SAME with stride 2 pads only bottom/right when the total padding is odd', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 4, 4, 1] },
          { shape: [1, 3, 3, 1], data: new Float32Array(9).fill(1) },
          { shape: [1], data: f32(0) },
          { shape: [1, 2, 2, 1] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [
          {
            op: 'CONV_2D',
            inputs: [0, 1, 2],
            outputs: [3],
            options: [Opt.padding('SAME'), { slot: 1, int32: 2 }, { slot: 2, int32: 2 }],
          },
        ],
      },
      [{ shape: [1, 4, 4, 1], data: grid(16) }],
    );
    close(y.data, [54, 45, 72, 54]);
  });

  it('VALID with dilation 2', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 5, 5, 1] },
          { shape: [1, 3, 3, 1], data: new Float32Array(9).fill(1) },
          { shape: [1], data: f32(0) },
          { shape: [1, 1, 1, 1] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [
          {
            op: 'CONV_2D',
            inputs: [0, 1, 2],
            outputs: [3],
            options: [
              Opt.padding('VALID'),
              { slot: 1, int32: 1 },
              { slot: 2, int32: 1 },
              { slot: 4, int32: 2 },
              { slot: 5, int32: 2 },
            ],
          },
        ],
      },
      [{ shape: [1, 5, 5, 1], data: grid(25) }],
    );
    close(y.data, [1 + 3 + 5 + 11 + 13 + 15 + 21 + 23 + 25]);
  });

  it('OHWI filters: output channel o mixes input channels with w[o][i]', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 1, 1, 2] },
          { shape: [3, 1, 1, 2], data: f32(1, 2, 3, 4, 5, 6) },
          { shape: [3], data: f32(0, 0, 0) },
          { shape: [1, 1, 1, 3] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [
          {
            op: 'CONV_2D',
            inputs: [0, 1, 2],
            outputs: [3],
            options: [Opt.padding('VALID'), { slot: 1, int32: 1 }, { slot: 2, int32: 1 }],
          },
        ],
      },
      [{ shape: [1, 1, 1, 2], data: [1, 10] }],
    );
    close(y.data, [21, 43, 65]);
  });

  it('filter rows are image rows (H before W)', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 2, 2, 1] },
          { shape: [1, 2, 1, 1], data: f32(1, 10) },
          { shape: [1], data: f32(0) },
          { shape: [1, 1, 2, 1] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [
          {
            op: 'CONV_2D',
            inputs: [0, 1, 2],
            outputs: [3],
            options: [Opt.padding('VALID'), { slot: 1, int32: 1 }, { slot: 2, int32: 1 }],
          },
        ],
      },
      [{ shape: [1, 2, 2, 1], data: [1, 2, 3, 4] }],
    );
    close(y.data, [31, 42]);
  });
});

describe('tflite DEPTHWISE_CONV_2D', () => {
  it('1HWC filters act per channel, with bias', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 2, 2, 2] },
          { shape: [1, 2, 2, 2], data: f32(1, 1, 1, 0, 1, 0, 1, 2) },
          { shape: [2], data: f32(0.5, -0.5) },
          { shape: [1, 1, 1, 2] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [
          {
            op: 'DEPTHWISE_CONV_2D',
            inputs: [0, 1, 2],
            outputs: [3],
            options: [Opt.padding('VALID'), { slot: 1, int32: 1 }, { slot: 2, int32: 1 }, { slot: 3, int32: 1 }],
          },
        ],
      },
      // channel 0: 1 2 / 3 4; channel 1: 10 20 / 30 40 (interleaved NHWC)
      [{ shape: [1, 2, 2, 2], data: [1, 10, 2, 20, 3, 30, 4, 40] }],
    );
    close(y.data, [10.5, 89.5]);
  });

  it('depth multiplier 2: output channel c*2+m', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 1, 1, 2] },
          { shape: [1, 1, 1, 4], data: f32(1, 2, 3, 4) },
          { shape: [4], data: f32(0, 0, 0, 0) },
          { shape: [1, 1, 1, 4] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [
          {
            op: 'DEPTHWISE_CONV_2D',
            inputs: [0, 1, 2],
            outputs: [3],
            options: [Opt.padding('VALID'), { slot: 1, int32: 1 }, { slot: 2, int32: 1 }, { slot: 3, int32: 2 }],
          },
        ],
      },
      [{ shape: [1, 1, 1, 2], data: [3, 5] }],
    );
    close(y.data, [3, 6, 15, 20]);
  });

  it('SAME 3x3 with fused RELU on a 3x3 image', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 3, 3, 1] },
          { shape: [1, 3, 3, 1], data: new Float32Array(9).fill(1) },
          { shape: [1], data: f32(-30) },
          { shape: [1, 3, 3, 1] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [
          {
            op: 'DEPTHWISE_CONV_2D',
            inputs: [0, 1, 2],
            outputs: [3],
            options: [
              Opt.padding('SAME'),
              { slot: 1, int32: 1 },
              { slot: 2, int32: 1 },
              { slot: 3, int32: 1 },
              { slot: Opt.depthwise.activation, int8: RELU },
            ],
          },
        ],
      },
      [{ shape: [1, 3, 3, 1], data: grid(9) }],
    );
    close(y.data, [0, 0, 0, 0, 15, 3, 0, 9, 0]);
  });
});
