import type { EngineConfig } from '#core/vision/engine-config.ts';
import type { Box, FaceVector, FivePoints, RgbImage } from '#core/types.ts';
import { alignFace } from '#core/vision/align.ts';
import { decodeImage, type DecodedImage } from '#core/vision/decode.ts';
import { createDetector, createEmbedder, createLandmarkLocator } from '#core/vision/factory.ts';
import { dropFalseDetections } from '#core/vision/false-detections.ts';
import { faceQuality, withEmbeddingNorm } from '#core/vision/quality.ts';
import { DEFAULT_LANDMARKS } from '#core/vision/registry.ts';
import type { AlignmentTemplate, AnalyzedFace, AnalyzedPhoto, Detector, Embedder, LandmarkLocator } from '#core/vision/types.ts';

export interface AnalyzerOptions {
  /** Intra-op threads per inference: 1 inside a worker pool, default 2. */
  readonly threads?: number;
  /** Landmark model for detectors without their own 5 points. */
  readonly landmarks?: string;
  /** Longest side of the working copy that detection, landmarks and alignment run on. Faces are
   * found down to ~20 px of that copy. */
  readonly maxSide?: number;
  /** Drop faces whose box is smaller than this (original pixels). */
  readonly minFacePx?: number;
  /** Align small faces of downscaled photos on a sharper decode (default true). */
  readonly sharpAlign?: boolean;
}

export interface AnalyzeOptions {
  /** false: detect, align and measure quality, but do not embed (the split pipeline's detect
   * stage). Default true. */
  readonly embed?: boolean;
}

/** The face engine: photo bytes → faces with boxes, landmarks, quality, aligned crops and vectors. */
export interface FaceAnalyzer {
  readonly detectorId: string;
  readonly embedderId: string;
  readonly embedderVersion: string;
  readonly embedderDim: number;
  /** Where aligned crops put the 5 landmarks (the embedder's template). */
  readonly template: AlignmentTemplate;
  /** Decode, detect, locate landmarks, align, measure quality and (unless `embed: false`) embed.
   * Throws ImageDecodeError for unreadable photos. */
  analyze(bytes: Uint8Array, options?: AnalyzeOptions): Promise<AnalyzedPhoto>;
  /** Embed crops aligned earlier by `analyze` (each `embedder.template.size` square). */
  embedCrops(crops: readonly RgbImage[]): Promise<FaceVector[]>;
  dispose(): Promise<void>;
}

export const DEFAULT_MAX_SIDE = 1600;

const now = (): number => performance.now();

/** Faces ordered by box top, then left, so re-processing a photo yields the same order and hence
 * the same face ids. */
export function orderFaces<T extends { readonly box: Box; readonly score: number }>(faces: readonly T[]): T[] {
  return [...faces].sort((a, b) => a.box[1] - b.box[1] || a.box[0] - b.box[0] || b.score - a.score);
}

export class DefaultFaceAnalyzer implements FaceAnalyzer {
  /** Calls run one at a time: the runtimes already use every thread they are given, and queuing
   * bounds memory when a caller fires many photos at once. */
  private tail: Promise<unknown> = Promise.resolve();

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  constructor(
    private readonly config: EngineConfig,
    private readonly detector: Detector,
    private readonly landmarks: LandmarkLocator,
    private readonly embedder: Embedder,
    private readonly options: AnalyzerOptions,
  ) {}

  get detectorId(): string { return this.detector.id; }
  get embedderId(): string { return this.embedder.modelId; }
  get embedderVersion(): string { return this.embedder.modelVersion; }
  get embedderDim(): number { return this.embedder.dim; }
  get template(): AlignmentTemplate { return this.embedder.template; }

  analyze(bytes: Uint8Array, options: AnalyzeOptions = {}): Promise<AnalyzedPhoto> {
    return this.serial(() => this.analyzeNow(bytes, options));
  }

  private async analyzeNow(bytes: Uint8Array, options: AnalyzeOptions): Promise<AnalyzedPhoto> {
    const timings: Record<string, number> = {};
    const t0 = now();
    const decoded = await decodeImage(bytes, {
      maxBytes: this.config.maxBytes,
      maxPixels: this.config.maxPixels,
      maxSide: this.options.maxSide ?? DEFAULT_MAX_SIDE,
    });
    const t1 = now();
    timings.decode = t1 - t0;
    const work = decoded.image;
    const toOriginal = 1 / decoded.scale;

    const detections = await this.detector.detect(work);
    const t2 = now();
    timings.detect = t2 - t1;

    const minFace = (this.options.minFacePx ?? 0) * decoded.scale;
    const kept = detections.filter((d) => Math.min(d.box[2], d.box[3]) >= minFace);
    const located: { box: Box; score: number; landmarks: FivePoints }[] = [];
    for (const d of kept) {
      located.push({ box: d.box, score: d.score, landmarks: d.landmarks ?? (await this.landmarks.locate(work, d.box)) });
    }
    const t3 = now();
    timings.landmarks = t3 - t2;

    const scaleBox = (b: Box): Box => [b[0] * toOriginal, b[1] * toOriginal, b[2] * toOriginal, b[3] * toOriginal];
    const scalePts = (p: FivePoints): FivePoints => p.map((q) => [q[0] * toOriginal, q[1] * toOriginal]) as FivePoints;
    // Crops come from the working copy unless a face is too small there for the template: then
    // one sharper copy is decoded (big photos with small faces only) and every face is aligned on it.
    const detail = await this.detailCopy(bytes, decoded, located.map((f) => f.landmarks));
    const faces = orderFaces(dropFalseDetections(
      located.map((f) => {
        const k = detail.scale / decoded.scale;
        const pts = k === 1 ? f.landmarks : (f.landmarks.map((q) => [q[0] * k, q[1] * k]) as FivePoints);
        const { crop } = alignFace(detail.image, pts, this.embedder.template);
        const box = scaleBox(f.box);
        const landmarks = scalePts(f.landmarks);
        return { box, score: f.score, landmarks, crop, quality: faceQuality(box, landmarks, crop, { width: decoded.width, height: decoded.height, detectorScore: f.score }) };
      }),
    ));
    const t4 = now();
    timings.align = t4 - t3;

    let result: AnalyzedFace[] = faces;
    if (options.embed !== false && faces.length > 0) {
      const vectors = await this.embedder.embed(faces.map((f) => f.crop));
      result = faces.map((f, i) => ({ ...f, embedding: vectors[i], quality: withEmbeddingNorm(f.quality, vectors[i]?.norm, f.score) }));
    }
    const t5 = now();
    timings.embed = t5 - t4;
    timings.total = t5 - t0;
    return { width: decoded.width, height: decoded.height, faces: result, timings };
  }

  /** The image to align on: the working copy, or a sharper decode when the smallest face's eye
   * distance in the working copy is under the template's and the original has more pixels. */
  private async detailCopy(bytes: Uint8Array, decoded: DecodedImage, landmarks: readonly FivePoints[]): Promise<Pick<DecodedImage, 'image' | 'scale'>> {
    if (decoded.scale >= 1 || landmarks.length === 0 || this.options.sharpAlign === false) return decoded;
    const [a, b] = this.embedder.template.points;
    const templateIod = Math.hypot(a![0] - b![0], a![1] - b![1]);
    let wanted = decoded.scale;
    for (const p of landmarks) {
      const iodWork = Math.hypot(p[0][0] - p[1][0], p[0][1] - p[1][1]);
      if (iodWork <= 0 || iodWork >= templateIod) continue;
      wanted = Math.max(wanted, Math.min(1, (decoded.scale * templateIod) / iodWork));
    }
    // Cap the sharper copy's size: beyond ~24 Mpx decoding costs more than it gives.
    const longSide = Math.max(decoded.width, decoded.height);
    const maxSide = Math.min(Math.round(longSide * wanted), Math.round(Math.sqrt(24e6 * (longSide / Math.min(decoded.width, decoded.height)))));
    if (maxSide < longSide * decoded.scale * 1.25) return decoded;
    return decodeImage(bytes, { maxBytes: this.config.maxBytes, maxPixels: this.config.maxPixels, maxSide });
  }

  embedCrops(crops: readonly RgbImage[]): Promise<FaceVector[]> {
    return this.serial(() => this.embedder.embed(crops));
  }

  async dispose(): Promise<void> {
    await this.tail;
    await Promise.all([this.detector.dispose?.(), this.landmarks.dispose?.(), this.embedder.dispose?.()]);
  }
}

/** Build the analyzer for an engine config: the detector and embedder it names, the default landmark
 * model, all on `options.threads` threads per inference. */
export async function createFaceAnalyzer(config: EngineConfig, options: AnalyzerOptions = {}): Promise<FaceAnalyzer> {
  const cfg = { modelsDir: config.modelsDir, ...(options.threads === undefined ? {} : { threads: options.threads }) };
  const [detector, landmarks, embedder] = await Promise.all([
    createDetector(config.detector, cfg),
    createLandmarkLocator(options.landmarks ?? DEFAULT_LANDMARKS, cfg),
    createEmbedder(config.embedder, cfg),
  ]);
  return new DefaultFaceAnalyzer(config, detector, landmarks, embedder, options);
}
