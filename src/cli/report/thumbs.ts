import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { Box } from '#core/types.ts';

/** Face thumbnails: small square JPEGs cut from the source photo around the face box with some
 * margin (hair and chin make a face recognisable to people; the aligned crop is too tight). */

export const THUMB_SIZE = 160;
/** Side of the square around a face, as a multiple of the box's longer side. */
const MARGIN = 1.6;
/** Photos are shrunk to this longest side before cutting (plenty for 160 px thumbnails). */
const WORK_SIDE = 2400;

export interface ThumbRequest {
  readonly box: Box;
  /** Absolute output file. */
  readonly file: string;
}

/** The square region (in photo pixels) shown for a face, clamped inside the photo. */
export function thumbRegion(box: Box, width: number, height: number): { left: number; top: number; size: number } {
  const [x, y, w, h] = box;
  const size = Math.max(1, Math.min(Math.round(Math.max(w, h) * MARGIN), width, height));
  const cx = x + w / 2;
  const cy = y + h / 2;
  const left = Math.round(Math.min(Math.max(0, cx - size / 2), width - size));
  const top = Math.round(Math.min(Math.max(0, cy - size / 2), height - size));
  return { left, top, size };
}

/** Cut every requested face out of one photo (decoded once). */
export async function writeFaceThumbs(photo: Uint8Array, requests: readonly ThumbRequest[]): Promise<void> {
  if (requests.length === 0) return;
  const meta = await sharp(photo, { failOn: 'none', limitInputPixels: false }).metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? (meta.pageHeight ?? meta.height) : meta.width) ?? 0;
  const height = (swap ? meta.width : (meta.pageHeight ?? meta.height)) ?? 0;
  if (width <= 0 || height <= 0) throw new Error('photo has no size');
  const scale = Math.min(1, WORK_SIDE / Math.max(width, height));
  let pipeline = sharp(photo, { failOn: 'none', limitInputPixels: false, pages: 1 }).rotate();
  if (scale < 1) pipeline = pipeline.resize(Math.round(width * scale), Math.round(height * scale), { fit: 'fill' });
  if (meta.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
  const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (const r of requests) {
    const box = r.box.map((v) => v * (info.width / width)) as Box;
    const region = thumbRegion(box, info.width, info.height);
    const jpeg = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .extract({ left: region.left, top: region.top, width: region.size, height: region.size })
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'fill', kernel: 'lanczos3' })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer();
    await mkdir(dirname(r.file), { recursive: true });
    await writeFile(r.file, jpeg);
  }
}

/** Thumbnail made from the stored aligned crop, when the source photo cannot be read any more. */
export async function writeCropThumb(crop: Uint8Array, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await sharp(crop).resize(THUMB_SIZE, THUMB_SIZE, { fit: 'cover' }).jpeg({ quality: 82, mozjpeg: true }).toFile(file);
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}

/** Delete the thumbnails rankface wrote (`written`, names in `dir`) that are not in `keep` (faces
 * that no longer exist). Files rankface did not write are never touched, whatever their name.
 * Returns the names deleted. */
export async function pruneThumbs(
  dir: string,
  written: ReadonlySet<string>,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of written) {
    if (keep.has(name) || !/^[A-Za-z0-9_-]+\.jpg$/.test(name)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
