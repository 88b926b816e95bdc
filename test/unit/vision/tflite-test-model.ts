import { Builder } from 'flatbuffers';
import { Op } from '#core/vision/tflite/builtin-ops.ts';
import { initTfjs } from '#core/vision/runtime/tfjs.ts';
import { TfliteInterpreter } from '#core/vision/tflite/interpreter.ts';
import { TensorType } from '#core/vision/tflite/schema.ts';

/** Writes tiny TFLite files with flatbuffers' own Builder, following schema.fbs, so the op tests
 * go through the same parser and interpreter as a real model. */

export interface TestTensor {
  readonly shape: readonly number[];
  readonly type?: number;
  /** Constant data (float32 unless `type` says otherwise: raw bytes are written for other types). */
  readonly data?: Float32Array | Int32Array | Uint8Array;
  readonly quant?: { readonly scale: readonly number[]; readonly zeroPoint: readonly number[]; readonly dim?: number };
}

export type OptionField =
  | { readonly slot: number; readonly int8: number }
  | { readonly slot: number; readonly int32: number }
  | { readonly slot: number; readonly float32: number }
  | { readonly slot: number; readonly int32s: readonly number[] };

export interface TestOp {
  readonly op: keyof typeof Op;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly options?: readonly OptionField[];
}

export interface TestModel {
  readonly tensors: readonly TestTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly ops: readonly TestOp[];
}

function int32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

export function buildTfliteModel(m: TestModel): Uint8Array {
  const b = new Builder(1024);
  // Buffers: 0 is the empty sentinel; each constant tensor gets its own.
  const bufferOffsets: number[] = [];
  b.startObject(1);
  bufferOffsets.push(b.endObject());
  const tensorBuffer: number[] = [];
  for (const t of m.tensors) {
    if (!t.data) {
      tensorBuffer.push(0);
      continue;
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    b.startVector(1, bytes.length, 16);
    for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i]);
    const vec = b.endVector();
    b.startObject(1);
    b.addFieldOffset(0, vec, 0);
    tensorBuffer.push(bufferOffsets.length);
    bufferOffsets.push(b.endObject());
  }
  const tensors = m.tensors.map((t, i) => {
    const name = b.createString(`t${i}`);
    const shape = int32Vector(b, t.shape);
    let quant = 0;
    if (t.quant) {
      b.startVector(4, t.quant.scale.length, 4);
      for (let k = t.quant.scale.length - 1; k >= 0; k--) b.addFloat32(t.quant.scale[k]);
      const scale = b.endVector();
      b.startVector(8, t.quant.zeroPoint.length, 8);
      for (let k = t.quant.zeroPoint.length - 1; k >= 0; k--) b.addInt64(BigInt(t.quant.zeroPoint[k]));
      const zp = b.endVector();
      b.startObject(7);
      b.addFieldOffset(2, scale, 0);
      b.addFieldOffset(3, zp, 0);
      b.addFieldInt32(6, t.quant.dim ?? 0, 0);
      quant = b.endObject();
    }
    b.startObject(5);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, t.type ?? TensorType.FLOAT32, 0);
    b.addFieldInt32(2, tensorBuffer[i], 0);
    b.addFieldOffset(3, name, 0);
    if (quant) b.addFieldOffset(4, quant, 0);
    return b.endObject();
  });
  const codes = [...new Set(m.ops.map((o) => Op[o.op]))];
  const operators = m.ops.map((o) => {
    const inputs = int32Vector(b, o.inputs);
    const outputs = int32Vector(b, o.outputs);
    let options = 0;
    if (o.options) {
      const vectors = o.options.map((f) => ('int32s' in f ? int32Vector(b, f.int32s) : 0));
      b.startObject(8);
      o.options.forEach((f, k) => {
        if ('int8' in f) b.addFieldInt8(f.slot, f.int8, null);
        else if ('int32' in f) b.addFieldInt32(f.slot, f.int32, null);
        else if ('float32' in f) b.addFieldFloat32(f.slot, f.float32, null);
        else b.addFieldOffset(f.slot, vectors[k], 0);
      });
      options = b.endObject();
    }
    b.startObject(5);
    b.addFieldInt32(0, codes.indexOf(Op[o.op]), 0);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    // The union discriminant is not read by the interpreter (it knows each op's options table).
    if (options) {
      b.addFieldInt8(3, 1, 0);
      b.addFieldOffset(4, options, 0);
    }
    return b.endObject();
  });
  const opcodeTables = codes.map((code) => {
    b.startObject(4);
    b.addFieldInt8(0, Math.min(code, 127), 0);
    b.addFieldInt32(2, 1, 1);
    b.addFieldInt32(3, code, 0);
    return b.endObject();
  });
  const tensorsVec = offsetVector(b, tensors);
  const inputsVec = int32Vector(b, m.inputs);
  const outputsVec = int32Vector(b, m.outputs);
  const opsVec = offsetVector(b, operators);
  const name = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(0, tensorsVec, 0);
  b.addFieldOffset(1, inputsVec, 0);
  b.addFieldOffset(2, outputsVec, 0);
  b.addFieldOffset(3, opsVec, 0);
  b.addFieldOffset(4, name, 0);
  const subgraph = b.endObject();
  const codesVec = offsetVector(b, opcodeTables);
  const subgraphsVec = offsetVector(b, [subgraph]);
  const buffersVec = offsetVector(b, bufferOffsets);
  const description = b.createString('rankface test model');
  b.startObject(5);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, codesVec, 0);
  b.addFieldOffset(2, subgraphsVec, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffersVec, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array();
}

/** Options slots (schema.fbs field order) used by the tests. */
export const Opt = {
  padding: (v: 'SAME' | 'VALID'): OptionField => ({ slot: 0, int8: v === 'SAME' ? 0 : 1 }),
  conv: { strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 },
  depthwise: { strideW: 1, strideH: 2, multiplier: 3, activation: 4 },
  pool: { strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 },
} as const;

export const RELU = 1;
export const RELU6 = 3;

export interface HostTensor {
  readonly shape: number[];
  readonly data: number[];
}

/** Build and run a test model on the project's tfjs runtime; plain arrays out. */
export async function runTestModel(
  m: TestModel,
  inputs: readonly { shape: number[]; data: number[] }[],
): Promise<HostTensor[]> {
  const { tf } = await initTfjs();
  const interp = TfliteInterpreter.fromBytes(buildTfliteModel(m));
  const xs = inputs.map((x) => tf.tensor(x.data, x.shape, 'float32'));
  try {
    const outs = interp.run(xs);
    const res = await Promise.all(outs.map(async (o) => ({ shape: o.shape, data: Array.from(await o.data()) })));
    for (const o of outs) o.dispose();
    return res;
  } finally {
    for (const x of xs) x.dispose();
    interp.dispose();
  }
}

export const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
