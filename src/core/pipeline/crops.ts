import sharp from 'sharp';
import type { RgbImage } from '#core/types.ts';

/** Crops are stored as PNG: lossless, so the embed stage sees exactly the pixels the detect stage
 * aligned (a JPEG round trip would shift vectors between the one-shot and the split pipeline). */
export async function encodeCrop(crop: RgbImage): Promise<Uint8Array> {
  const png = await sharp(Buffer.from(crop.data.buffer, crop.data.byteOffset, crop.data.byteLength), {
    raw: { width: crop.width, height: crop.height, channels: 3 },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

export async function decodeCrop(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
