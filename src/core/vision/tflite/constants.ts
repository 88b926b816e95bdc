import type { TfliteModel, TfliteTensor } from '#core/vision/tflite/schema.ts';
import { TensorType } from '#core/vision/tflite/schema.ts';
import { TfliteUnsupportedError } from '#core/vision/tflite/errors.ts';

/** A constant tensor decoded from a model buffer: float weights (dequantised if stored as
 * float16/int8/uint8) or integer parameters (shapes, axes, paddings). */
export type ConstantValue =
  | { readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'int32'; readonly shape: readonly number[]; readonly data: Int32Array };

/** Copy out of the file: buffer data is not guaranteed to be aligned for typed-array views. */
function aligned(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/** IEEE 754 half → single. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** (q - zero_point) * scale, per tensor or per channel along `quantizedDimension`. */
function dequantise(tensor: TfliteTensor, q: ArrayLike<number>): Float32Array {
  const quant = tensor.quantization;
  if (!quant)
    throw new TfliteUnsupportedError(
      `tensor "${tensor.name}" holds integers without quantisation parameters where floats are expected`,
    );
  const out = new Float32Array(q.length);
  const channels = quant.scale.length;
  if (channels === 1) {
    const s = quant.scale[0],
      z = Number(quant.zeroPoint[0] ?? 0n);
    for (let i = 0; i < q.length; i++) out[i] = (q[i] - z) * s;
    return out;
  }
  // Per-channel: the channel of flat index i is (i / inner) % channels, inner = product of the
  // dimensions after the quantised one.
  const dim = quant.quantizedDimension;
  let inner = 1;
  for (let d = dim + 1; d < tensor.shape.length; d++) inner *= tensor.shape[d];
  for (let i = 0; i < q.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = (q[i] - Number(quant.zeroPoint[c] ?? 0n)) * quant.scale[c];
  }
  return out;
}

/** Decode tensor `index` if it has data in the model, else undefined (a runtime activation). */
export function readConstant(model: TfliteModel, tensor: TfliteTensor): ConstantValue | undefined {
  const bytes = model.buffers[tensor.buffer];
  if (!bytes || bytes.length === 0) return undefined;
  const shape = tensor.shape;
  switch (tensor.type) {
    case TensorType.FLOAT32:
      return { dtype: 'float32', shape, data: new Float32Array(aligned(bytes)) };
    case TensorType.FLOAT16: {
      const half = new Uint16Array(aligned(bytes));
      const data = new Float32Array(half.length);
      for (let i = 0; i < half.length; i++) data[i] = halfToFloat(half[i]);
      return { dtype: 'float32', shape, data };
    }
    case TensorType.INT8:
      return { dtype: 'float32', shape, data: dequantise(tensor, new Int8Array(aligned(bytes))) };
    case TensorType.UINT8:
      return { dtype: 'float32', shape, data: dequantise(tensor, bytes) };
    case TensorType.INT32:
      return { dtype: 'int32', shape, data: new Int32Array(aligned(bytes)) };
    case TensorType.INT64: {
      const wide = new BigInt64Array(aligned(bytes));
      return { dtype: 'int32', shape, data: Int32Array.from(wide, (v) => Number(v)) };
    }
    default:
      throw new TfliteUnsupportedError(`constant tensor "${tensor.name}" has unsupported type ${tensor.type}`);
  }
}
