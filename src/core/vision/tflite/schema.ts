import { ByteBuffer } from 'flatbuffers';
import { TfliteFormatError } from '#core/vision/tflite/errors.ts';

/** A hand-written reader for the subset of the TFLite FlatBuffer schema (tensorflow/lite/schema/
 * schema.fbs) that an interpreter needs. Field numbers below are the schema's field order; a table
 * field's vtable slot is 4 + 2 * field. Everything is decoded eagerly into plain objects: models we
 * run are a few hundred tensors, and plain objects are easier to test and to reason about than
 * lazy accessors. */

export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
  FLOAT64: 10,
} as const;

export interface TfliteQuantization {
  readonly scale: Float32Array;
  readonly zeroPoint: BigInt64Array;
  readonly quantizedDimension: number;
}

export interface TfliteTensor {
  readonly index: number;
  readonly name: string;
  readonly shape: readonly number[];
  /** TensorType code (see `TensorType`). */
  readonly type: number;
  /** Index into Model.buffers; buffer 0 is the empty sentinel. */
  readonly buffer: number;
  readonly quantization?: TfliteQuantization;
}

export interface TfliteOperator {
  readonly opcodeIndex: number;
  /** Tensor indices; -1 marks an omitted optional input (e.g. a convolution without bias). */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Union discriminant of builtin_options (BuiltinOptions enum); 0 when absent. */
  readonly builtinOptionsType: number;
  /** Absolute position of the builtin_options table in the file, or 0 when absent. */
  readonly builtinOptionsPos: number;
}

export interface TfliteOperatorCode {
  /** The larger of builtin_code and deprecated_builtin_code (the schema's own rule since v3a). */
  readonly builtinCode: number;
  readonly customCode?: string;
  readonly version: number;
}

export interface TfliteSubgraph {
  readonly name: string;
  readonly tensors: readonly TfliteTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly operators: readonly TfliteOperator[];
}

export interface TfliteModel {
  readonly version: number;
  readonly description: string;
  readonly operatorCodes: readonly TfliteOperatorCode[];
  readonly subgraphs: readonly TfliteSubgraph[];
  /** Raw bytes of each buffer (a view into the file, empty when the buffer holds no data). */
  readonly buffers: readonly Uint8Array[];
  /** The file's ByteBuffer, to read operator options on demand. */
  readonly bb: ByteBuffer;
}

/** Little helpers over flatbuffers' ByteBuffer: `pos` is a table's absolute position (0 = absent).
 * flatbuffers' generated code trusts the file; a truncated or corrupt file would read past the end
 * as zeros/undefined. Every read here is bounds-checked and throws `TfliteFormatError` instead. */
export class TableReader {
  private readonly size: number;

  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number,
  ) {
    this.size = bb.capacity();
    if (pos !== 0) this.need(pos, 4);
  }

  private need(at: number, n: number): void {
    if (!Number.isInteger(at) || at < 0 || n < 0 || at + n > this.size)
      throw new TfliteFormatError(
        `corrupt or truncated TFLite model (read of ${n} bytes at ${at}, file is ${this.size} bytes)`,
      );
  }

  /** Offset of a field inside the table (0 = absent), from the table's vtable. */
  private slot(field: number): number {
    if (this.pos === 0) return 0;
    const vtable = this.pos - this.bb.readInt32(this.pos);
    this.need(vtable, 4);
    const vo = 4 + 2 * field;
    if (vo >= this.bb.readInt16(vtable)) return 0;
    this.need(vtable + vo, 2);
    const o = this.bb.readInt16(vtable + vo);
    return o;
  }

  private scalar(field: number, n: number): number {
    const o = this.slot(field);
    if (o) this.need(this.pos + o, n);
    return o;
  }

  has(field: number): boolean {
    return this.slot(field) !== 0;
  }

  int32(field: number, dflt = 0): number {
    const o = this.scalar(field, 4);
    return o ? this.bb.readInt32(this.pos + o) : dflt;
  }

  uint32(field: number, dflt = 0): number {
    const o = this.scalar(field, 4);
    return o ? this.bb.readUint32(this.pos + o) : dflt;
  }

  int8(field: number, dflt = 0): number {
    const o = this.scalar(field, 1);
    return o ? this.bb.readInt8(this.pos + o) : dflt;
  }

  uint8(field: number, dflt = 0): number {
    const o = this.scalar(field, 1);
    return o ? this.bb.readUint8(this.pos + o) : dflt;
  }

  bool(field: number, dflt = false): boolean {
    const o = this.scalar(field, 1);
    return o ? this.bb.readUint8(this.pos + o) !== 0 : dflt;
  }

  float32(field: number, dflt = 0): number {
    const o = this.scalar(field, 4);
    return o ? this.bb.readFloat32(this.pos + o) : dflt;
  }

  /** Absolute position that the uoffset at `at` points to. */
  private follow(at: number): number {
    this.need(at, 4);
    const target = at + this.bb.readUint32(at);
    this.need(target, 4);
    return target;
  }

  string(field: number): string {
    const o = this.slot(field);
    if (!o) return '';
    const at = this.follow(this.pos + o);
    const len = this.bb.readUint32(at);
    this.need(at + 4, len);
    return new TextDecoder().decode(this.bb.bytes().subarray(at + 4, at + 4 + len));
  }

  /** A sub-table's absolute position, or 0. */
  table(field: number): number {
    const o = this.slot(field);
    return o ? this.follow(this.pos + o) : 0;
  }

  /** [start, length] of a vector field of `elem`-byte elements, or [0, 0]. */
  private vector(field: number, elem: number): [number, number] {
    const o = this.slot(field);
    if (!o) return [0, 0];
    const at = this.follow(this.pos + o);
    const len = this.bb.readUint32(at);
    this.need(at + 4, len * elem);
    return [at + 4, len];
  }

  int32s(field: number): number[] {
    const [start, len] = this.vector(field, 4);
    const out = new Array<number>(len);
    for (let i = 0; i < len; i++) out[i] = this.bb.readInt32(start + 4 * i);
    return out;
  }

  float32s(field: number): Float32Array {
    const [start, len] = this.vector(field, 4);
    const out = new Float32Array(len);
    for (let i = 0; i < len; i++) out[i] = this.bb.readFloat32(start + 4 * i);
    return out;
  }

  int64s(field: number): BigInt64Array {
    const [start, len] = this.vector(field, 8);
    const out = new BigInt64Array(len);
    for (let i = 0; i < len; i++) out[i] = this.bb.readInt64(start + 8 * i);
    return out;
  }

  /** A view (no copy) on a [ubyte] vector. */
  bytes(field: number): Uint8Array {
    const [start, len] = this.vector(field, 1);
    return this.bb.bytes().subarray(start, start + len);
  }

  /** Absolute positions of the tables in a vector of tables. */
  tables(field: number): number[] {
    const [start, len] = this.vector(field, 4);
    const out = new Array<number>(len);
    for (let i = 0; i < len; i++) out[i] = this.follow(start + 4 * i);
    return out;
  }
}

// Field numbers of the tables we read (schema.fbs order).
const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 } as const;
const OPCODE = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 } as const;
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 } as const;
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4 } as const;
const QUANT = { scale: 2, zeroPoint: 3, quantizedDimension: 6 } as const;
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4 } as const;
const BUFFER = { data: 0, offset: 1, size: 2 } as const;

/** Parse a .tflite file. Throws `TfliteFormatError` if it is not one. */
export function parseTflite(bytes: Uint8Array): TfliteModel {
  if (bytes.length < 8) throw new TfliteFormatError('file too small to be a TFLite model');
  // The file identifier "TFL3" sits at bytes 4..7.
  const ident = String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]);
  if (ident !== 'TFL3') throw new TfliteFormatError(`not a TFLite model (identifier "${ident}", expected "TFL3")`);
  const bb = new ByteBuffer(bytes);
  try {
    const root = new TableReader(bb, bb.readUint32(0));
    const operatorCodes = root.tables(MODEL.operatorCodes).map((pos): TfliteOperatorCode => {
      const t = new TableReader(bb, pos);
      const custom = t.string(OPCODE.customCode);
      return {
        builtinCode: Math.max(t.int8(OPCODE.deprecatedBuiltinCode), t.int32(OPCODE.builtinCode)),
        ...(custom ? { customCode: custom } : {}),
        version: t.int32(OPCODE.version, 1),
      };
    });
    const buffers = root.tables(MODEL.buffers).map((pos) => {
      const t = new TableReader(bb, pos);
      // Models over 2 GB keep weights after the FlatBuffer (offset/size); we do not need them.
      if (t.has(BUFFER.offset) && t.has(BUFFER.size))
        throw new TfliteFormatError('external (offset/size) buffers are not supported');
      return t.bytes(BUFFER.data);
    });
    const subgraphs = root.tables(MODEL.subgraphs).map((pos): TfliteSubgraph => {
      const t = new TableReader(bb, pos);
      const tensors = t.tables(SUBGRAPH.tensors).map((tp, index): TfliteTensor => {
        const tt = new TableReader(bb, tp);
        const qpos = tt.table(TENSOR.quantization);
        let quantization: TfliteQuantization | undefined;
        if (qpos) {
          const q = new TableReader(bb, qpos);
          const scale = q.float32s(QUANT.scale);
          if (scale.length > 0)
            quantization = {
              scale,
              zeroPoint: q.int64s(QUANT.zeroPoint),
              quantizedDimension: q.int32(QUANT.quantizedDimension),
            };
        }
        return {
          index,
          name: tt.string(TENSOR.name),
          shape: tt.int32s(TENSOR.shape),
          type: tt.int8(TENSOR.type),
          buffer: tt.uint32(TENSOR.buffer),
          ...(quantization ? { quantization } : {}),
        };
      });
      const operators = t.tables(SUBGRAPH.operators).map((op): TfliteOperator => {
        const o = new TableReader(bb, op);
        return {
          opcodeIndex: o.uint32(OPERATOR.opcodeIndex),
          inputs: o.int32s(OPERATOR.inputs),
          outputs: o.int32s(OPERATOR.outputs),
          builtinOptionsType: o.uint8(OPERATOR.builtinOptionsType),
          builtinOptionsPos: o.table(OPERATOR.builtinOptions),
        };
      });
      return {
        name: t.string(SUBGRAPH.name),
        tensors,
        inputs: t.int32s(SUBGRAPH.inputs),
        outputs: t.int32s(SUBGRAPH.outputs),
        operators,
      };
    });
    return {
      version: root.uint32(MODEL.version),
      description: root.string(MODEL.description),
      operatorCodes,
      subgraphs,
      buffers,
      bb,
    };
  } catch (err) {
    if (err instanceof TfliteFormatError) throw err;
    throw new TfliteFormatError(`corrupt TFLite model: ${(err as Error).message}`);
  }
}
