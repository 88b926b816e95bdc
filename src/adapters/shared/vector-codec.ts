/** How both face stores (SQLite and DynamoDB) turn an embedding into bytes and back. One module so
 * the two adapters cannot drift apart.
 *
 * Formats, distinguished on read so that vectors written by older versions keep reading:
 * - legacy: raw little-endian float32, exactly `dim * 4` bytes, no header (before codec versioning).
 * - versioned: `[MAGIC, codec]` then the payload:
 *   - `f32`: little-endian float32 × dim (bit-exact).
 *   - `i8`: one little-endian float32 scale, then int8 × dim; value = q × scale, with the scale
 *     chosen per vector so the largest |component| maps to 127.
 *
 * Why int8 is the default: a 512-D unit vector is 2,048 bytes as float32 and 518 as int8, which
 * takes a DynamoDB vector item from 3 write units to 1 and quarters the clustering read. The
 * verification loss was measured on lfw-df-dev (`tsx bench/vector-codec.ts`, docs/scale.md): well
 * under the 0.001 TAR@FAR=1e-3 budget. A store that must be bit-exact can still write `f32`. */

import { RankfaceError } from '#core/errors.ts';

export type VectorCodec = 'f32' | 'i8';

export const DEFAULT_VECTOR_CODEC: VectorCodec = 'i8';

const MAGIC = 0xf1;
const CODEC_IDS: Record<VectorCodec, number> = { f32: 1, i8: 2 };
const HEADER = 2;

/** Stored bytes that hold no vector of the expected size in any known format. */
export class VectorCodecError extends RankfaceError {
  constructor(message: string) {
    super('vector-codec', message);
  }
}

/** Bytes to store for `vector`. */
export function encodeVector(vector: Float32Array, codec: VectorCodec = DEFAULT_VECTOR_CODEC): Uint8Array {
  const dim = vector.length;
  if (codec === 'f32') {
    const out = new Uint8Array(HEADER + dim * 4);
    out.set([MAGIC, CODEC_IDS.f32]);
    const view = new DataView(out.buffer);
    for (let i = 0; i < dim; i++) view.setFloat32(HEADER + i * 4, vector[i]!, true);
    return out;
  }
  let max = 0;
  for (let i = 0; i < dim; i++) max = Math.max(max, Math.abs(vector[i]!));
  const scale = max > 0 ? max / 127 : 1;
  const out = new Uint8Array(HEADER + 4 + dim);
  out.set([MAGIC, CODEC_IDS.i8]);
  const view = new DataView(out.buffer);
  view.setFloat32(HEADER, scale, true);
  for (let i = 0; i < dim; i++)
    view.setInt8(HEADER + 4 + i, Math.max(-127, Math.min(127, Math.round(vector[i]! / scale))));
  return out;
}

/** The vector stored in `bytes`, which must hold `dim` components in any known format. The input
 * may be an unaligned view into a driver's buffer: it is read through a DataView, never aliased. */
export function decodeVector(bytes: Uint8Array, dim: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(dim);
  // Legacy first: a raw float32 vector may happen to start with the magic byte; its length cannot
  // collide with a versioned one (dim*4 vs dim*4+2 or dim+6) for any dim above 2.
  if (bytes.byteLength === dim * 4) {
    for (let i = 0; i < dim; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  if (bytes.byteLength < HEADER || bytes[0] !== MAGIC)
    throw new VectorCodecError(
      `stored vector has ${bytes.byteLength} bytes and no codec header (expected ${dim * 4} for raw float32)`,
    );
  const id = bytes[1];
  if (id === CODEC_IDS.f32 && bytes.byteLength === HEADER + dim * 4) {
    for (let i = 0; i < dim; i++) out[i] = view.getFloat32(HEADER + i * 4, true);
    return out;
  }
  if (id === CODEC_IDS.i8 && bytes.byteLength === HEADER + 4 + dim) {
    const scale = view.getFloat32(HEADER, true);
    for (let i = 0; i < dim; i++) out[i] = view.getInt8(HEADER + 4 + i) * scale;
    return out;
  }
  throw new VectorCodecError(
    `stored vector: codec id ${id} with ${bytes.byteLength} bytes does not hold ${dim} components`,
  );
}
