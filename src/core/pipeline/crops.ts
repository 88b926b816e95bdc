import sharp from 'sharp';
import type { CropRegion, RgbImage } from '#core/types.ts';

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
  const { data, info } = await sharp(bytes)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

/** How a crop sheet is encoded. 'jpeg' (quality 80) when the crops are only looked at (the vectors
 * were computed from the exact pixels in the same pass); 'png' when a later stage embeds from the
 * sheet and must see the exact pixels the detect stage aligned. */
export type SheetFormat = 'jpeg' | 'png';

export const SHEET_CONTENT_TYPE: Readonly<Record<SheetFormat, string>> = { jpeg: 'image/jpeg', png: 'image/png' };
export const SHEET_JPEG_QUALITY = 80;

export interface CropSheet {
  readonly bytes: Uint8Array;
  /** Where each crop sits, in the order given. */
  readonly regions: CropRegion[];
}

/** All the crops of one photo in one image: a vertical strip, crop i below crop i-1, left-aligned.
 * One object (one S3 PUT) per photo instead of one per face; a client shows a face by its region
 * (a square crop in a one-crop-wide strip is `object-fit: cover` at `object-position: 0 y%`). */
export async function encodeCropSheet(crops: readonly RgbImage[], format: SheetFormat): Promise<CropSheet> {
  const width = Math.max(...crops.map((c) => c.width));
  const height = crops.reduce((s, c) => s + c.height, 0);
  const strip = new Uint8Array(width * height * 3);
  const regions: CropRegion[] = [];
  let y = 0;
  for (const c of crops) {
    for (let row = 0; row < c.height; row++) {
      strip.set(c.data.subarray(row * c.width * 3, (row + 1) * c.width * 3), (y + row) * width * 3);
    }
    regions.push({ x: 0, y, width: c.width, height: c.height, sheetWidth: width, sheetHeight: height });
    y += c.height;
  }
  const image = sharp(Buffer.from(strip.buffer, strip.byteOffset, strip.byteLength), {
    raw: { width, height, channels: 3 },
  });
  const out = await (
    format === 'jpeg' ? image.jpeg({ quality: SHEET_JPEG_QUALITY }) : image.png({ compressionLevel: 6 })
  ).toBuffer();
  return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength), regions };
}

/** One crop out of a decoded sheet (or the whole image when the crop has no region: a per-face crop). */
export function cropFromSheet(sheet: RgbImage, region: CropRegion | undefined): RgbImage {
  if (!region) return sheet;
  const data = new Uint8Array(region.width * region.height * 3);
  for (let row = 0; row < region.height; row++) {
    const from = ((region.y + row) * sheet.width + region.x) * 3;
    data.set(sheet.data.subarray(from, from + region.width * 3), row * region.width * 3);
  }
  return { data, width: region.width, height: region.height };
}
