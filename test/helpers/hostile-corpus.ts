import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { dataPath } from '#test/helpers/data.ts';

/** The hostile-input corpus of issue 13, generated at test time from two real photos (nothing
 * binary is committed): broken, odd and malicious files beside good photos. Each case says what
 * rankface must do with it: refuse it with a typed code, or analyse it like its source photo. */

/** The photo every format and orientation case is made from (one face per person, 360x480). */
export const FACE_PHOTO = dataPath('group', 'pascal', '2008_001009.jpg');
/** A group photo with at least six faces: the "other photo in the batch". */
export const GROUP_PHOTO = dataPath('group', 'bbt', 'bbt4.jpg');

export type HostileExpectation =
  /** Refused with one of these typed codes, never analysed. */
  | { readonly refused: readonly string[] }
  /** Analysed like FACE_PHOTO: same upright size, same number of faces. */
  | { readonly likeFacePhoto: true }
  /** A good photo: analysed with at least this many faces. */
  | { readonly minFaces: number }
  /** Pixels that mean nothing (a real header over noise): refused with one of these codes, or
   * decoded and found to hold no face. Either is a correct answer; a face is not. */
  | { readonly refusedOrNoFaces: readonly string[] };

export interface HostileCase {
  readonly file: string;
  readonly expect: HostileExpectation;
  /** Bytes of a regular file; absent for the special files (FIFO, device link). */
  readonly bytes?: () => Promise<Uint8Array> | Uint8Array;
  /** A special file made in place (local only): a FIFO, a symlink to /dev/zero, or a sparse
   * 2 GiB file (no disk used) over every size limit. */
  readonly special?: 'fifo' | 'dev-zero' | 'sparse-2gib';
}

const read = (path: string): Uint8Array => new Uint8Array(readFileSync(path));
const encode = async (make: (s: Sharp) => Sharp): Promise<Uint8Array> =>
  new Uint8Array(await make(sharp(read(FACE_PHOTO))).toBuffer());

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG whose header declares width x height 8-bit RGB pixels (65500² ≈ 12.9 GB decoded) and
 * whose image data is one deflated row: a pixel bomb that costs nothing to make. */
export function pixelBombPng(width = 65_500, height = 65_500): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const row = deflateSync(Buffer.alloc(1 + width * 3));
  return new Uint8Array(
    Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', row), pngChunk('IEND', new Uint8Array())]),
  );
}

/** A real JPEG whose frame header (SOF) is rewritten to declare width x height: the scan data
 * still holds the small photo. */
export function pixelBombJpeg(jpeg: Uint8Array, width = 65_500, height = 65_500): Uint8Array {
  const out = Buffer.from(jpeg);
  let at = 2; // after SOI
  while (at + 9 < out.length && out[at] === 0xff) {
    const marker = out[at + 1]!;
    const length = out.readUInt16BE(at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      out.writeUInt16BE(height, at + 5);
      out.writeUInt16BE(width, at + 7);
      return new Uint8Array(out);
    }
    at += 2 + length;
  }
  throw new Error('no SOF marker found');
}

/** The start of an HEIC file (ftyp box, 'heic' brand) and nothing decodable: the HEVC codec is
 * not shipped, so a phone's HEIC is refused the same way. */
export function heicHeaderOnly(): Uint8Array {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypheic', 4, 'ascii');
  ftyp.write('mif1heic', 16, 'ascii');
  return new Uint8Array(Buffer.concat([ftyp, Buffer.alloc(64)]));
}

/** Stored sideways with an EXIF orientation (as phones write them): `storedRotation` turns the
 * upright photo into the stored pixels, `orientation` tells a viewer how to turn it back. */
const rotated = (orientation: number, storedRotation: number) => () =>
  encode((s) => s.rotate(storedRotation).withMetadata({ orientation }).jpeg({ quality: 95 }));

/** Random bytes from a fixed seed (xorshift), so a failure replays. */
function noise(length: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const BROKEN = ['corrupt', 'unsupported'];

/** Every case of the corpus. `local` adds the special files only a file system has. */
export function hostileCases(local: boolean): HostileCase[] {
  const cases: HostileCase[] = [
    { file: 'group.jpg', expect: { minFaces: 6 }, bytes: () => read(GROUP_PHOTO) },
    { file: 'face.jpg', expect: { likeFacePhoto: true }, bytes: () => read(FACE_PHOTO) },
    { file: 'empty.jpg', expect: { refused: ['empty'] }, bytes: () => new Uint8Array() },
    { file: 'truncated.jpg', expect: { refused: BROKEN }, bytes: () => read(GROUP_PHOTO).slice(0, 4000) },
    {
      file: 'half.jpg',
      expect: { refused: BROKEN },
      bytes: () => {
        const j = read(GROUP_PHOTO);
        return j.slice(0, j.length >> 1);
      },
    },
    { file: 'noise.jpg', expect: { refused: BROKEN }, bytes: () => noise(64 * 1024) },
    {
      file: 'jpeg-head-noise-body.jpg',
      expect: { refusedOrNoFaces: BROKEN },
      bytes: () => new Uint8Array([...read(GROUP_PHOTO).slice(0, 600), ...noise(20_000, 7)]),
    },
    {
      file: 'text.jpg',
      expect: { refused: ['unsupported'] },
      bytes: () => new TextEncoder().encode('not a photo, only text in a file named .jpg\n'),
    },
    { file: 'bomb.png', expect: { refused: ['too-large'] }, bytes: () => pixelBombPng() },
    { file: 'bomb.jpg', expect: { refused: ['too-large'] }, bytes: () => pixelBombJpeg(read(FACE_PHOTO)) },
    { file: 'phone.heic', expect: { refused: ['unsupported'] }, bytes: heicHeaderOnly },
    {
      file: 'face-cmyk.jpg',
      expect: { likeFacePhoto: true },
      bytes: () => encode((s) => s.toColourspace('cmyk').jpeg({ quality: 92 })),
    },
    {
      file: 'face-16bit.png',
      expect: { likeFacePhoto: true },
      bytes: () => encode((s) => s.toColourspace('rgb16').png()),
    },
    { file: 'face.gif', expect: { likeFacePhoto: true }, bytes: () => encode((s) => s.gif()) },
    { file: 'face.webp', expect: { likeFacePhoto: true }, bytes: () => encode((s) => s.webp({ quality: 92 })) },
    {
      file: 'face.avif',
      expect: { likeFacePhoto: true },
      bytes: () => encode((s) => s.avif({ quality: 70, effort: 0 })),
    },
    { file: 'face.tiff', expect: { likeFacePhoto: true }, bytes: () => encode((s) => s.tiff()) },
    { file: 'face-exif6.jpg', expect: { likeFacePhoto: true }, bytes: rotated(6, -90) },
    { file: 'face-exif8.jpg', expect: { likeFacePhoto: true }, bytes: rotated(8, 90) },
    { file: 'face-exif3.jpg', expect: { likeFacePhoto: true }, bytes: rotated(3, 180) },
  ];
  if (!local) return cases;
  return [
    ...cases,
    { file: 'pipe.jpg', expect: { refused: ['not-a-file'] }, special: 'fifo' },
    { file: 'zero.jpg', expect: { refused: ['not-a-file'] }, special: 'dev-zero' },
    { file: 'huge.jpg', expect: { refused: ['too-large'] }, special: 'sparse-2gib' },
  ];
}

/** Write the corpus into `dir` (which exists); returns the cases written. */
export async function writeHostileCorpus(dir: string, local = true): Promise<HostileCase[]> {
  const cases = hostileCases(local);
  for (const c of cases) {
    const path = join(dir, c.file);
    if (c.special === 'fifo') execFileSync('mkfifo', [path]);
    else if (c.special === 'dev-zero') symlinkSync('/dev/zero', path);
    else if (c.special === 'sparse-2gib') {
      writeFileSync(path, read(GROUP_PHOTO).subarray(0, 2)); // starts like a JPEG
      truncateSync(path, 2 * 1024 ** 3);
    } else writeFileSync(path, await c.bytes!());
  }
  return cases;
}
