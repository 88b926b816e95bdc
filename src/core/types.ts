/** Shared value types of the core. Pixel coordinates are always in the original photo's frame
 * (after EXIF orientation is applied), never in a downscaled working copy. */

/** [x, y, width, height] in pixels. */
export type Box = [number, number, number, number];
/** [x, y] in pixels. */
export type Point = [number, number];

/** Five landmarks in ArcFace order: left eye, right eye, nose tip, left mouth corner, right mouth corner
 * ("left" = image left). */
export type FivePoints = [Point, Point, Point, Point, Point];

/** Interleaved 8-bit RGB pixels, row-major. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface FaceQuality {
  /** Shorter side of the box, in original pixels. */
  readonly sizePx: number;
  /** Variance of the Laplacian on the aligned grey crop: low means blurred. */
  readonly sharpness: number;
  /** Pose estimates from the 5 landmarks, in degrees (signs: yaw>0 = face turned to image right). */
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

/** An identity vector, L2-normalised, tagged with the model that made it. Vectors of different
 * models are never compared: code that compares must check `modelId` first. */
export interface FaceVector {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly vector: Float32Array;
}
