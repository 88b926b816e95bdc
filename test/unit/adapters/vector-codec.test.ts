import { describe, expect, it } from 'vitest';
import { decodeVector, encodeVector, VectorCodecError } from '#adapters/shared/vector-codec.ts';
import { vector } from '#test/unit/local/fixtures.ts';

/** A unit vector with the spread of a real embedding (the fixture's extreme values are for the
 * bit-exact path). */
function unitVector(seed: number, dim = 512): Float32Array {
  const v = new Float32Array(dim);
  let x = seed;
  for (let i = 0; i < dim; i++) {
    x = (x * 1664525 + 1013904223) % 4294967296;
    v[i] = x / 4294967296 - 0.5;
  }
  const norm = Math.hypot(...v);
  return v.map((c) => c / norm);
}

const bytesOf = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

describe('vector codec: every stored format reads back', () => {
  it('f32 is bit-exact (negative zero, subnormal, max float) and carries a version header', () => {
    const v = vector(7);
    const bytes = encodeVector(v, 'f32');
    expect(bytes.byteLength).toBe(512 * 4 + 2);
    expect(bytesOf(decodeVector(bytes, 512)).equals(bytesOf(v))).toBe(true);
  });

  it('i8 stores 512 dims in 518 bytes, each component within half a quantisation step, cosine to the original above 0.9999', () => {
    const v = unitVector(3);
    const bytes = encodeVector(v, 'i8');
    expect(bytes.byteLength).toBe(518);
    const back = decodeVector(bytes, 512);
    const step = Math.max(...v.map(Math.abs)) / 127;
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < 512; i++) {
      expect(Math.abs(back[i]! - v[i]!)).toBeLessThanOrEqual(step / 2 + 1e-9);
      dot += back[i]! * v[i]!;
      norm += back[i]! * back[i]!;
    }
    expect(dot / Math.sqrt(norm)).toBeGreaterThan(0.9999);
  });

  it('reads legacy raw float32 (no header) written before the codec was versioned, from an unaligned view', () => {
    const v = vector(11);
    const padded = Buffer.alloc(512 * 4 + 1);
    bytesOf(v).copy(padded, 1);
    const unaligned = new Uint8Array(padded.buffer, padded.byteOffset + 1, 512 * 4);
    expect(bytesOf(decodeVector(unaligned, 512)).equals(bytesOf(v))).toBe(true);
  });

  it('refuses bytes of the wrong size or an unknown codec with a typed error', () => {
    const bytes = encodeVector(unitVector(5), 'i8');
    expect(() => decodeVector(bytes, 256)).toThrow(VectorCodecError);
    const unknown = Uint8Array.from(bytes);
    unknown[1] = 99;
    expect(() => decodeVector(unknown, 512)).toThrow(/codec id 99/);
    expect(() => decodeVector(new Uint8Array(10), 512)).toThrow(VectorCodecError);
  });
});
