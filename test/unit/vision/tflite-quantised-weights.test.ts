import { describe, expect, it } from 'vitest';
import { halfToFloat } from '#core/vision/tflite/constants.ts';
import { TensorType } from '#core/vision/tflite/schema.ts';
import { f32, runTestModel } from './tflite-test-model.ts';

/** Weights stored as float16 (behind a DEQUANTIZE op) or int8 with per-channel scales are
 * dequantised to the float values they stand for. */

const close = (got: number[], want: number[]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
};

const conv1x1 = { padding: { slot: 0, int8: 1 }, sw: { slot: 1, int32: 1 }, sh: { slot: 2, int32: 1 } };

describe('tflite weight dequantisation', () => {
  it('decodes IEEE half floats', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0x3800)).toBe(0.5);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBeCloseTo(5.96e-8, 10);
  });

  it('float16 filter behind DEQUANTIZE', async () => {
    // filter [2,1,1,1] = [0.5, -2] as float16 → DEQUANTIZE → CONV_2D 1x1
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 1, 1, 1] },
          {
            shape: [2, 1, 1, 1],
            type: TensorType.FLOAT16,
            data: Uint8Array.from(new Uint8Array(Uint16Array.from([0x3800, 0xc000]).buffer)),
          },
          { shape: [2, 1, 1, 1] },
          { shape: [2], data: f32(0, 1) },
          { shape: [1, 1, 1, 2] },
        ],
        inputs: [0],
        outputs: [4],
        ops: [
          { op: 'DEQUANTIZE', inputs: [1], outputs: [2] },
          { op: 'CONV_2D', inputs: [0, 2, 3], outputs: [4], options: [conv1x1.padding, conv1x1.sw, conv1x1.sh] },
        ],
      },
      [{ shape: [1, 1, 1, 1], data: [3] }],
    );
    close(y.data, [1.5, -5]);
  });

  it('int8 filter with per-output-channel scales and zero points', async () => {
    const [y] = await runTestModel(
      {
        tensors: [
          { shape: [1, 1, 1, 1] },
          {
            shape: [2, 1, 1, 1],
            type: TensorType.INT8,
            data: new Uint8Array(Int8Array.from([10, -20]).buffer),
            quant: { scale: [0.1, 0.05], zeroPoint: [0, -40], dim: 0 },
          },
          { shape: [2], data: f32(0, 0) },
          { shape: [1, 1, 1, 2] },
        ],
        inputs: [0],
        outputs: [3],
        ops: [{ op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], options: [conv1x1.padding, conv1x1.sw, conv1x1.sh] }],
      },
      [{ shape: [1, 1, 1, 1], data: [3] }],
    );
    // channel 0: 10 * 0.1 = 1; channel 1: (-20 + 40) * 0.05 = 1
    close(y.data, [3, 3]);
  });
});
