import type { Box, FaceQuality, FaceVector, FivePoints, Point, RgbImage } from '#core/types.ts';

/** A face as a detector reports it, in the coordinates of the image it was given. */
export interface Detection {
  readonly box: Box;
  readonly score: number;
  /** Five points if the detector predicts them (MTCNN does); otherwise a landmark model adds them. */
  readonly landmarks?: FivePoints;
}

/** Per-call detection settings (a detector may ignore what it cannot honour). */
export interface DetectOptions {
  /** Smallest face to find, shorter side in pixels of the image given; default: the detector's own. */
  readonly minFacePx?: number;
  /** 'faces' (default): fine pyramid levels only where the coarse pass says small faces may be;
   * 'pixels': every level over the whole image ("find every tiny face" archives). */
  readonly effort?: DetectEffort;
  /** A sharper copy of the same photo for the finest pyramid level, decoded only if that level
   * runs (most photos of a few large faces never need it). Detections stay in the coordinates of
   * the image given to detect. */
  readonly finer?: FinerCopy;
}

export interface FinerCopy {
  /** Its size over the size of the image given to detect (about 2). */
  readonly factor: number;
  load(): Promise<RgbImage>;
}

export type DetectEffort = 'faces' | 'pixels';

export interface Detector {
  /** Model id from models/manifest.json. */
  readonly id: string;
  /** For detectors that take `options.finer`: the largest scale (≤ 1) at which detect reads an
   * image of this size before its finest level, so that the caller can decode a first copy that
   * small and leave the full one to `finer`. Detectors without it read everything at once. */
  coarseScale?(width: number, height: number, options?: DetectOptions): number;
  detect(image: RgbImage, options?: DetectOptions): Promise<Detection[]>;
  dispose?(): Promise<void>;
}

export interface LandmarkLocator {
  readonly id: string;
  /** Five points (ArcFace order) for the face inside `box`, in image coordinates. */
  locate(image: RgbImage, box: Box): Promise<FivePoints>;
  dispose?(): Promise<void>;
}

/** Where an embedder wants the five landmarks to land in its square input crop. */
export interface AlignmentTemplate {
  readonly size: number;
  readonly points: readonly Point[];
}

export interface Embedder {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly dim: number;
  readonly template: AlignmentTemplate;
  /** One L2-normalised vector per aligned crop (each `template.size` square). */
  embed(crops: readonly RgbImage[]): Promise<FaceVector[]>;
  dispose?(): Promise<void>;
}

/** One face found in a photo, fully processed. */
export interface AnalyzedFace {
  readonly box: Box;
  readonly score: number;
  readonly landmarks: FivePoints;
  readonly quality: FaceQuality;
  /** Aligned crop on the embedder's template. */
  readonly crop: RgbImage;
  readonly embedding?: FaceVector;
}

export interface AnalyzedPhoto {
  /** Size after EXIF orientation. */
  readonly width: number;
  readonly height: number;
  readonly faces: AnalyzedFace[];
  /** Milliseconds per stage, for benchmarks. */
  readonly timings: Readonly<Record<string, number>>;
}
