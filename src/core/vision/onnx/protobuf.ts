/** The protobuf wire format, as much as ONNX model surgery needs: a writer (wire types 0, 2, 5) used
 * to build ONNX graphs (the TFLite conversion) and a flat field reader used to edit them (the PReLU
 * rewrite), without a protobuf dependency. */

/** Minimal protobuf writer (wire types 0, 2, 5). */
export class Pb {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`protobuf varint out of range: ${v}`);
    const out: number[] = [];
    while (v > 127) {
      out.push((v % 128) | 128);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, v: number): this {
    this.tag(field, 0);
    // Negative int64 are 10-byte two's complement varints.
    if (v < 0) this.push(negativeVarint(v));
    else this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** Fields already encoded (tag included, e.g. `PbField.raw`), copied as they are. */
  encoded(b: Uint8Array): this {
    this.push(b);
    return this;
  }

  message(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function negativeVarint(v: number): Uint8Array {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x > 127n) {
    out.push(Number(x & 127n) | 128);
    x >>= 7n;
  }
  out.push(Number(x));
  return Uint8Array.from(out);
}

/** One field of a protobuf message, as read: varints as numbers (ONNX dims, types and lengths fit
 * in 2^53), length-delimited payloads as views, fixed32/64 as views; `raw` is the whole field
 * (tag included), so unchanged fields are copied byte for byte. */
export interface PbField {
  readonly field: number;
  readonly wire: number;
  readonly value: number;
  readonly bytes: Uint8Array;
  readonly raw: Uint8Array;
}

function readVarint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let scale = 1;
  for (;;) {
    if (at >= b.length) throw new Error('protobuf: truncated varint');
    const x = b[at++]!;
    v += (x & 127) * scale;
    scale *= 128;
    if (x < 128) return [v, at];
  }
}

/** The top-level fields of one message, in order. Throws on a truncated or malformed message. */
export function readFields(b: Uint8Array): PbField[] {
  const out: PbField[] = [];
  let at = 0;
  while (at < b.length) {
    const start = at;
    let key: number;
    [key, at] = readVarint(b, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value = 0;
    let bytes = b.subarray(at, at);
    if (wire === 0) [value, at] = readVarint(b, at);
    else if (wire === 2) {
      let len: number;
      [len, at] = readVarint(b, at);
      if (at + len > b.length) throw new Error('protobuf: truncated field');
      bytes = b.subarray(at, at + len);
      at += len;
    } else if (wire === 5 || wire === 1) {
      const len = wire === 5 ? 4 : 8;
      if (at + len > b.length) throw new Error('protobuf: truncated field');
      bytes = b.subarray(at, at + len);
      at += len;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
    out.push({ field, wire, value, bytes, raw: b.subarray(start, at) });
  }
  return out;
}

/** A length-delimited field's payload as UTF-8 text. */
export const text = (f: PbField): string => new TextDecoder().decode(f.bytes);
