import sharp, { type Metadata } from 'sharp';
import { RankfaceError } from '#core/errors.ts';
import type { RgbImage } from '#core/types.ts';
import { HEIC_UNSUPPORTED, isHeic } from './heic.ts';

/** Why a photo could not be read. Stable codes: the pipeline records them on the photo. */
export const IMAGE_DECODE_ERROR_CODES = ['empty', 'unsupported', 'corrupt', 'too-large'] as const;
export type ImageDecodeErrorCode = (typeof IMAGE_DECODE_ERROR_CODES)[number];

export class ImageDecodeError extends RankfaceError {
  constructor(
    override readonly code: ImageDecodeErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

export function isImageDecodeError(err: unknown): err is ImageDecodeError {
  return (
    err instanceof ImageDecodeError ||
    (err instanceof Error && err.name === 'ImageDecodeError' && typeof (err as { code?: unknown }).code === 'string')
  );
}

export interface DecodeLimits {
  /** Refuse inputs with more bytes than this. */
  readonly maxBytes: number;
  /** Refuse images with more pixels than this, checked from the header before decoding. */
  readonly maxPixels: number;
}

export interface DecodeOptions extends DecodeLimits {
  /** Longest side of the working copy (the photo is shrunk to fit, never enlarged). */
  readonly maxSide: number;
  /** Shrink-on-load for big JPEGs: when the photo's longest side halves (quarters, eighths) to at
   * least this many pixels, the working copy is that power-of-two reduction, produced by the JPEG
   * decoder's DCT scaling with no resampling pass: several times cheaper than a full decode plus
   * a resize, and possibly larger than `maxSide` (up to 2 × minSide). Unset: always fit `maxSide`. */
  readonly minSide?: number;
}

export interface DecodedImage extends PhotoHeader {
  /** Working copy: sRGB, 3 channels, oriented, downscaled to fit `maxSide`. */
  readonly image: RgbImage;
  /** Working-copy pixels per original pixel (≤ 1). */
  readonly scale: number;
}

/** Photo formats we read. SVG and other formats sharp knows are refused (not photos; SVG can
 * reference external resources and render arbitrarily large). HEIF covers AVIF and HEIC; the
 * prebuilt sharp decodes AVIF but not HEVC-coded HEIC, which then fails as 'unsupported'. */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'heif', 'avif', 'tiff', 'gif']);

/** A failed read of an HEIC says so in words a user can act on (sharp's prebuilt libvips has no
 * HEVC decoder); other failures are classified from sharp's message. */
function classifySharpError(err: unknown, bytes?: Uint8Array): ImageDecodeError {
  if (bytes && isHeic(bytes)) return new ImageDecodeError('unsupported', HEIC_UNSUPPORTED, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit|too large|exceeds/i.test(message)) return new ImageDecodeError('too-large', message, { cause: err });
  if (
    /unsupported image format|not been built|compression format|unsupported|no decoder|not supported|bad seek|NotImplemented/i.test(
      message,
    )
  ) {
    return new ImageDecodeError('unsupported', message, { cause: err });
  }
  return new ImageDecodeError('corrupt', message, { cause: err });
}

/** Size of the working copy for a photo of width x height (after orientation). A JPEG whose
 * longest side divided by 8, 4 or 2 is still at least `minSide` gets exactly that division,
 * rounded down: libvips then takes it from the decoder's DCT scaling (sharp only uses
 * shrink-on-load when the whole factor is reached, so rounding up would force a full decode). */
export function workingSize(
  width: number,
  height: number,
  format: string,
  options: Pick<DecodeOptions, 'maxSide' | 'minSide'>,
): [number, number] {
  const long = Math.max(width, height);
  if (long <= options.maxSide) return [width, height];
  if (format === 'jpeg' && options.minSide !== undefined) {
    for (const d of [8, 4, 2]) {
      if (Math.floor(long / d) >= options.minSide)
        return [Math.max(1, Math.floor(width / d)), Math.max(1, Math.floor(height / d))];
    }
  }
  const scale = options.maxSide / long;
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** What the header says about a photo, after the size and format checks. Size of the photo after
 * EXIF orientation: the frame all reported coordinates use. */
export interface PhotoHeader {
  readonly width: number;
  readonly height: number;
  readonly format: string;
  readonly hasAlpha: boolean;
}

const sharpInput = (limits: DecodeLimits) => ({
  limitInputPixels: limits.maxPixels,
  failOn: 'truncated' as const,
  pages: 1,
});

/** Read and check the header only (no pixels decoded). */
export async function readPhotoHeader(bytes: Uint8Array, limits: DecodeLimits): Promise<PhotoHeader> {
  if (bytes.byteLength === 0) throw new ImageDecodeError('empty', 'image is empty (0 bytes)');
  if (bytes.byteLength > limits.maxBytes) {
    throw new ImageDecodeError('too-large', `image is ${bytes.byteLength} bytes, limit is ${limits.maxBytes}`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, sharpInput(limits)).metadata();
  } catch (err) {
    throw classifySharpError(err, bytes);
  }
  const format = meta.format ?? 'unknown';
  if (!ACCEPTED_FORMATS.has(format))
    throw new ImageDecodeError('unsupported', `image format '${format}' is not supported`);
  const rawW = meta.width ?? 0;
  const rawH = meta.pageHeight ?? meta.height ?? 0;
  if (rawW <= 0 || rawH <= 0) throw new ImageDecodeError('corrupt', 'image has no size');
  if (rawW * rawH > limits.maxPixels) {
    throw new ImageDecodeError(
      'too-large',
      `image is ${rawW}x${rawH} = ${rawW * rawH} pixels, limit is ${limits.maxPixels}`,
    );
  }
  // EXIF orientations 5-8 swap width and height.
  const swap = (meta.orientation ?? 1) >= 5;
  return { width: swap ? rawH : rawW, height: swap ? rawW : rawH, format, hasAlpha: meta.hasAlpha ?? false };
}

/** Oriented, sRGB, 3-channel pixels of `bytes`, resized to targetW x targetH (shrink-on-load
 * where the format allows), optionally only the `region` of that resized frame. */
async function decodePixels(
  bytes: Uint8Array,
  limits: DecodeLimits,
  header: PhotoHeader,
  targetW: number,
  targetH: number,
  region?: Region,
): Promise<RgbImage> {
  try {
    // rotate() with no angle applies the EXIF orientation first: every later step (resize,
    // extract) works in the oriented frame.
    let pipeline = sharp(bytes, sharpInput(limits)).rotate();
    if (targetW !== header.width || targetH !== header.height)
      pipeline = pipeline.resize(targetW, targetH, { fit: 'fill', kernel: 'lanczos3', fastShrinkOnLoad: true });
    // After resize: libvips computes only the region (and, for JPEG, decodes only down to its bottom row).
    if (region)
      pipeline = pipeline.extract({ left: region.x, top: region.y, width: region.width, height: region.height });
    // Transparent areas become white, as viewers show them; CMYK and greyscale go to sRGB.
    if (header.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
    const { data, info } = await pipeline
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3)
      throw new ImageDecodeError('unsupported', `decoded to ${info.channels} channels, expected 3`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (err) {
    if (isImageDecodeError(err)) throw err;
    throw classifySharpError(err, bytes);
  }
}

/** Decode photo bytes into an oriented sRGB working copy. Every failure is an ImageDecodeError;
 * nothing else is thrown. */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedImage> {
  const header = await readPhotoHeader(bytes, options);
  const [targetW, targetH] = workingSize(header.width, header.height, header.format, options);
  const image = await decodePixels(bytes, options, header, targetW, targetH);
  return { ...header, image, scale: image.width / header.width };
}

/** An axis-aligned rectangle in pixels. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A part of the photo at some scale: pixel (u, v) of `image` is photo pixel
 * ((x + u) / scale, (y + v) / scale) in oriented coordinates. */
export interface DecodedRegion {
  readonly image: RgbImage;
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

/** Decode only `region` (oriented photo pixels) of the photo, at `scale` (≤ 1) of full resolution:
 * the sharper second read of face regions. The whole photo is never held at that scale: libvips
 * streams it, and JPEGs are DCT-scaled on load when the scale allows (≤ 1/2). */
export async function decodeRegion(
  bytes: Uint8Array,
  limits: DecodeLimits,
  header: PhotoHeader,
  region: Region,
  scale: number,
): Promise<DecodedRegion> {
  const s = Math.min(1, scale);
  // Rounded down, so that a scale of exactly 1/2 (1/4, 1/8) is DCT-scaled (see workingSize).
  const fullW = Math.max(1, Math.floor(header.width * s));
  const fullH = Math.max(1, Math.floor(header.height * s));
  const x0 = Math.max(0, Math.floor(region.x * s));
  const y0 = Math.max(0, Math.floor(region.y * s));
  const x1 = Math.min(fullW, Math.ceil((region.x + region.width) * s));
  const y1 = Math.min(fullH, Math.ceil((region.y + region.height) * s));
  if (x1 <= x0 || y1 <= y0)
    throw new ImageDecodeError(
      'corrupt',
      `region ${JSON.stringify(region)} is outside the ${header.width}x${header.height} photo`,
    );
  const image = await decodePixels(bytes, limits, header, fullW, fullH, {
    x: x0,
    y: y0,
    width: x1 - x0,
    height: y1 - y0,
  });
  return { image, x: x0, y: y0, scale: fullW / header.width };
}
