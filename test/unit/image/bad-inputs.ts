import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** The bad-input corpus, generated at test time (nothing big is committed). */

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

/** A valid, complete 1-bit greyscale PNG of `width`x`height` black pixels: a decompression bomb
 * (20000x20000 = 400 Mpx in ~50 KB). Written by hand because encoding 400 Mpx through sharp takes
 * half a minute. */
export function hugePng(width = 20_000, height = 20_000): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed pixels
  const raw = Buffer.alloc(rowBytes * height); // all zero: filter 0, black
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([
      signature,
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', deflateSync(raw, { level: 9 })),
      pngChunk('IEND', new Uint8Array()),
    ]),
  );
}

/** First `share` of a real JPEG: header intact, scan data cut off. */
export function truncated(jpeg: Uint8Array, share = 0.5): Uint8Array {
  return jpeg.slice(0, Math.floor(jpeg.length * share));
}

export const textAsJpeg = (): Uint8Array =>
  new TextEncoder().encode('this is not an image, only text in a file named photo.jpg\n');

export async function cmykJpeg(jpeg: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await sharp(jpeg).toColourspace('cmyk').jpeg({ quality: 92 }).toBuffer());
}

/** The start of an HEIC file (ftyp box with the 'heic' brand) and no decodable content. */
export function heicHeaderOnly(): Uint8Array {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypheic', 4, 'ascii');
  ftyp.writeUInt32BE(0, 12);
  ftyp.write('mif1heic', 16, 'ascii');
  return new Uint8Array(Buffer.concat([ftyp, Buffer.alloc(64)]));
}
