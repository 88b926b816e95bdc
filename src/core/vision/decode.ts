import sharp, { type Metadata } from 'sharp';
import { RankfaceError } from '#core/errors.ts';
import type { RgbImage } from '#core/types.ts';

/** Why a photo could not be read. Stable codes: the pipeline records them on the photo. */
export type ImageDecodeErrorCode = 'empty' | 'unsupported' | 'corrupt' | 'too-large';

export class ImageDecodeError extends RankfaceError {
  constructor(override readonly code: ImageDecodeErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

export function isImageDecodeError(err: unknown): err is ImageDecodeError {
  return err instanceof ImageDecodeError || (err instanceof Error && err.name === 'ImageDecodeError' && typeof (err as { code?: unknown }).code === 'string');
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
}

export interface DecodedImage {
  /** Size of the photo after EXIF orientation: the frame all reported coordinates use. */
  readonly width: number;
  readonly height: number;
  readonly format: string;
  /** Working copy: sRGB, 3 channels, oriented, downscaled to fit `maxSide`. */
  readonly image: RgbImage;
  /** Working-copy pixels per original pixel (≤ 1). */
  readonly scale: number;
}

/** Photo formats we read. SVG and other formats sharp knows are refused (not photos; SVG can
 * reference external resources and render arbitrarily large). HEIF covers AVIF and HEIC; the
 * prebuilt sharp decodes AVIF but not HEVC-coded HEIC, which then fails as 'unsupported'. */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'heif', 'avif', 'tiff', 'gif']);

function classifySharpError(err: unknown): ImageDecodeError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit|too large|exceeds/i.test(message)) return new ImageDecodeError('too-large', message, { cause: err });
  if (/unsupported image format|not been built|compression format|unsupported|no decoder|not supported|bad seek|NotImplemented/i.test(message)) {
    return new ImageDecodeError('unsupported', message, { cause: err });
  }
  return new ImageDecodeError('corrupt', message, { cause: err });
}

/** Decode photo bytes into an oriented sRGB working copy. Every failure is an ImageDecodeError;
 * nothing else is thrown. */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedImage> {
  if (bytes.byteLength === 0) throw new ImageDecodeError('empty', 'image is empty (0 bytes)');
  if (bytes.byteLength > options.maxBytes) {
    throw new ImageDecodeError('too-large', `image is ${bytes.byteLength} bytes, limit is ${options.maxBytes}`);
  }
  const sharpOptions = { limitInputPixels: options.maxPixels, failOn: 'truncated' as const, pages: 1 };
  let meta: Metadata;
  try {
    meta = await sharp(bytes, sharpOptions).metadata();
  } catch (err) {
    throw classifySharpError(err);
  }
  const format = meta.format ?? 'unknown';
  if (!ACCEPTED_FORMATS.has(format)) throw new ImageDecodeError('unsupported', `image format '${format}' is not supported`);
  const rawW = meta.width ?? 0;
  const rawH = meta.pageHeight ?? meta.height ?? 0;
  if (rawW <= 0 || rawH <= 0) throw new ImageDecodeError('corrupt', 'image has no size');
  if (rawW * rawH > options.maxPixels) {
    throw new ImageDecodeError('too-large', `image is ${rawW}x${rawH} = ${rawW * rawH} pixels, limit is ${options.maxPixels}`);
  }
  // EXIF orientations 5-8 swap width and height.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? rawH : rawW;
  const height = swap ? rawW : rawH;
  const scale = Math.min(1, options.maxSide / Math.max(width, height));
  const targetW = Math.max(1, Math.round(width * scale));
  const targetH = Math.max(1, Math.round(height * scale));

  try {
    let pipeline = sharp(bytes, sharpOptions).rotate();
    if (scale < 1) pipeline = pipeline.resize(targetW, targetH, { fit: 'fill', kernel: 'lanczos3' });
    // Transparent areas become white, as viewers show them; CMYK and greyscale go to sRGB.
    if (meta.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
    const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageDecodeError('unsupported', `decoded to ${info.channels} channels, expected 3`);
    const image: RgbImage = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    return { width, height, format, image, scale: info.width / width };
  } catch (err) {
    if (isImageDecodeError(err)) throw err;
    throw classifySharpError(err);
  }
}
