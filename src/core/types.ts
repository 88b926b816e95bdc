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

/** Where one face's crop sits in a crop sheet (one image holding every crop of a photo), in the
 * sheet's pixels. */
export interface CropRegion {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly sheetWidth: number;
  readonly sheetHeight: number;
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
  /* Added by issue 14 (optional: faces stored before it lack them; see docs/clustering.md#quality). */
  /** Eye distance in original pixels. */
  readonly iodPx?: number;
  /** Share (0..1) of the face region (the aligned crop mapped back) outside the photo. */
  readonly truncation?: number;
  /** Landmark/box agreement (0..1): do the landmark model's points form a face inside the box. */
  readonly plausibility?: number;
  /** Length of the embedding before L2 normalisation (low: little identity in the crop). */
  readonly embeddingNorm?: number;
  /** Overall quality 0..1; faces below the gate are not clustered into people. */
  readonly score?: number;
  /** Weak signals, weakest first: small, truncated, blurred, profile, low-detector-score,
   * implausible-landmarks, weak-embedding. */
  readonly reasons?: readonly string[];
}

/** An identity vector, L2-normalised, tagged with the model that made it. Vectors of different
 * models are never compared: code that compares must check `modelId` first. */
export interface FaceVector {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly vector: Float32Array;
  /** Length of the model's output before L2 normalisation, where the embedder reports it. */
  readonly norm?: number;
}
