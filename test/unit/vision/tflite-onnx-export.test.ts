import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { TfliteUnsupportedOpError } from '#core/vision/tflite/errors.ts';
import { parseTflite } from '#core/vision/tflite/schema.ts';
import { tfliteToOnnx } from '#core/vision/tflite/to-onnx.ts';
import { Opt, f32, buildTfliteModel, type TestModel } from './tflite-test-model.ts';

/** The ONNX rewrite of a TFLite graph computes what TFLite would, on ONNX Runtime: NHWC in and
 * out, TensorFlow's SAME padding (odd padding at the end), OHWI and 1HWC filters, PReLU spelled
 * out, batch-following RESHAPE; unknown ops are refused with a typed error. */

async function runOnnx(
  m: TestModel,
  input: { shape: number[]; data: number[] },
): Promise<{ dims: readonly number[]; data: number[] }> {
  const session = await ort.InferenceSession.create(tfliteToOnnx(parseTflite(buildTfliteModel(m))), {
    intraOpNumThreads: 1,
  });
  try {
    const res = await session.run({
      [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape),
    });
    const out = res[session.outputNames[0]!]!;
    return { dims: out.dims, data: Array.from(out.data as Float32Array) };
  } finally {
    await session.release();
  }
}

const close = (got: number[], want: number[]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
};

describe('TFLite → ONNX export', () => {
  it('CONV_2D SAME stride 2 pads bottom/right only, like TensorFlow', async () => {
    const y = await runOnnx(
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
      { shape: [1, 4, 4, 1], data: Array.from({ length: 16 }, (_, i) => i + 1) },
    );
    expect(y.dims).toEqual([1, 2, 2, 1]);
    close(y.data, [54, 45, 72, 54]);
  });

  it('OHWI filters mix channels as w[o][i]; depthwise multiplier 2 orders outputs c*2+m', async () => {
    const conv = await runOnnx(
      {
        tensors: [
          { shape: [1, 1, 1, 2] },
          { shape: [3, 1, 1, 2], data: f32(1, 2, 3, 4, 5, 6) },
          { shape: [3], data: f32(0, 0, 1) },
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
      { shape: [1, 1, 1, 2], data: [1, 10] },
    );
    close(conv.data, [21, 43, 66]);
    const dw = await runOnnx(
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
      { shape: [1, 1, 1, 2], data: [3, 5] },
    );
    close(dw.data, [3, 6, 15, 20]);
  });

  it('spelled-out PReLU then a batch-following RESHAPE', async () => {
    // 0 x [2,1,1,2] → PReLU (c = [0.05, 0.25]) → 6 → RESHAPE to [2,2]
    const y = await runOnnx(
      {
        tensors: [
          { shape: [2, 1, 1, 2] },
          { shape: [2, 1, 1, 2] },
          { shape: [2, 1, 1, 2] },
          { shape: [2, 1, 1, 2] },
          { shape: [2], data: f32(0.05, 0.25) },
          { shape: [2, 1, 1, 2] },
          { shape: [2, 1, 1, 2] },
          { shape: [2, 2] },
        ],
        inputs: [0],
        outputs: [7],
        ops: [
          { op: 'RELU', inputs: [0], outputs: [1] },
          { op: 'ABS', inputs: [0], outputs: [2] },
          { op: 'SUB', inputs: [0, 2], outputs: [3] },
          { op: 'MUL', inputs: [4, 3], outputs: [5] },
          { op: 'ADD', inputs: [1, 5], outputs: [6] },
          { op: 'RESHAPE', inputs: [6], outputs: [7], options: [{ slot: 0, int32s: [2, 2] }] },
        ],
      },
      { shape: [3, 1, 1, 2], data: [-4, -4, 1, 2, -1, 3] },
    );
    expect(y.dims).toEqual([3, 2]);
    close(y.data, [-0.4, -2, 1, 2, -0.1, 3]);
  });

  it('refuses ops it does not map with TfliteUnsupportedOpError', () => {
    const bytes = buildTfliteModel({
      tensors: [{ shape: [1, 4] }, { shape: [1, 4] }],
      inputs: [0],
      outputs: [1],
      ops: [{ op: 'SOFTMAX', inputs: [0], outputs: [1] }],
    });
    expect(() => tfliteToOnnx(parseTflite(bytes))).toThrow(TfliteUnsupportedOpError);
  });
});
