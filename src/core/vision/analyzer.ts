import type { EngineConfig } from '#core/vision/engine-config.ts';
import type { Box, FaceVector, FivePoints, Point, RgbImage } from '#core/types.ts';
import { alignFace, applyAffine, invertAffine, similarityTransform } from '#core/vision/align.ts';
import {
  decodeImage,
  decodeRegion,
  readPhotoHeader,
  workingSize,
  type DecodeOptions,
  type PhotoHeader,
  type DecodedImage,
  type DecodedRegion,
  type Region,
} from '#core/vision/decode.ts';
import { createDetector, createEmbedder, createLandmarkLocator } from '#core/vision/factory.ts';
import { dropFalseDetections } from '#core/vision/false-detections.ts';
import { faceQuality, withEmbeddingNorm } from '#core/vision/quality.ts';
import { verifyModelFiles } from '#core/vision/model-info.ts';
import { DEFAULT_LANDMARKS } from '#core/vision/registry.ts';
import type {
  AlignmentTemplate,
  AnalyzedFace,
  AnalyzedPhoto,
  DetectEffort,
  Detection,
  Detector,
  Embedder,
  FinerCopy,
  LandmarkLocator,
} from '#core/vision/types.ts';

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
  /** Align small faces of downscaled photos on a sharper decode of their region (default true). */
  readonly sharpAlign?: boolean;
  /** Detection effort: 'faces' (default) runs the fine pyramid levels only where the coarse pass
   * says small faces may be; 'pixels' runs every level over the whole photo, for archives where
   * every tiny background face matters (slower on big photos). */
  readonly detectEffort?: DetectEffort;
  /** Big JPEGs: decode a half-size copy first for the detector's coarse levels and the full working
   * copy only if its finest level runs (default true; false decodes the working copy at once). */
  readonly progressiveDecode?: boolean;
  /** ONNX graph rewrites at load (the embedder's PReLUs as depthwise convolutions, the detector's
   * pyramid levels as single any-size inputs instead of tiles): default true; false runs the models
   * as shipped (the benchmarks' "before"). */
  readonly graphRewrites?: boolean;
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

/** The detector's smallest face on a `DEFAULT_MAX_SIDE` working copy. Working copies decoded larger
 * (shrink-on-load) scale it, so detection sees the same share of the photo at any size. */
const REFERENCE_MIN_FACE_PX = 20;

/** Shrink-on-load keeps at least this share of maxSide as the long side: the detector's finest
 * pyramid level never looks at more than 0.8 of the working copy (20 px faces → 16 network px),
 * so nothing is lost. */
const MIN_WORKING_SHARE = 0.8;

/** Beyond ~24 Mpx a sharper read costs more than it gives. */
const MAX_DETAIL_PIXELS = 24e6;

const now = (): number => performance.now();

/** See DefaultFaceAnalyzer.readPlan. */
interface ReadPlan {
  /** Decode options of the working copy. */
  readonly working: DecodeOptions;
  /** Decode options of the first copy (the working copy's, or a smaller one). */
  readonly first: DecodeOptions;
  readonly workWidth: number;
  /** Smallest face, in working-copy pixels. */
  readonly minFacePx: number;
  /** False: the detector's own smallest face applies on the working copy. */
  readonly passMinFace: boolean;
}

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

  get detectorId(): string {
    return this.detector.id;
  }
  get embedderId(): string {
    return this.embedder.modelId;
  }
  get embedderVersion(): string {
    return this.embedder.modelVersion;
  }
  get embedderDim(): number {
    return this.embedder.dim;
  }
  get template(): AlignmentTemplate {
    return this.embedder.template;
  }

  analyze(bytes: Uint8Array, options: AnalyzeOptions = {}): Promise<AnalyzedPhoto> {
    return this.serial(() => this.analyzeNow(bytes, options));
  }

  private async analyzeNow(bytes: Uint8Array, options: AnalyzeOptions): Promise<AnalyzedPhoto> {
    const timings: Record<string, number> = {};
    const t0 = now();
    const plan = this.readPlan(await readPhotoHeader(bytes, this.limits()));
    const first = await decodeImage(bytes, plan.first);
    const t1 = now();
    const detected = await this.detectFaces(bytes, first, plan);
    const { decoded, detections } = detected;
    const t2 = now();
    timings.decode = t1 - t0 + detected.fineDecodeMs;
    timings.detect = t2 - t1 - detected.fineDecodeMs;
    const work = decoded.image;
    const toOriginal = 1 / decoded.scale;

    const minFace = (this.options.minFacePx ?? 0) * decoded.scale;
    const kept = detections.filter((d) => Math.min(d.box[2], d.box[3]) >= minFace);
    const located = await this.locateLandmarks(work, kept);
    const t3 = now();
    timings.landmarks = t3 - t2;

    const scaleBox = (b: Box): Box => [b[0] * toOriginal, b[1] * toOriginal, b[2] * toOriginal, b[3] * toOriginal];
    const scalePts = (p: FivePoints): FivePoints => p.map((q) => [q[0] * toOriginal, q[1] * toOriginal]) as FivePoints;
    // Crops come from the working copy unless a face is too small there for the template: then
    // only the region of those faces is decoded again, sharper.
    const detail = await this.detailRegion(
      bytes,
      decoded,
      located.map((f) => f.landmarks),
    );
    const faces = orderFaces(
      dropFalseDetections(
        located.map((f, i) => {
          let source = work;
          let pts = f.landmarks;
          if (detail?.faces.has(i)) {
            const k = detail.region.scale / decoded.scale;
            source = detail.region.image;
            pts = f.landmarks.map((q) => [q[0] * k - detail.region.x, q[1] * k - detail.region.y]) as FivePoints;
          }
          const { crop } = alignFace(source, pts, this.embedder.template);
          const box = scaleBox(f.box);
          const landmarks = scalePts(f.landmarks);
          return {
            box,
            score: f.score,
            landmarks,
            crop,
            quality: faceQuality(box, landmarks, crop, {
              width: decoded.width,
              height: decoded.height,
              detectorScore: f.score,
            }),
          };
        }),
      ),
    );
    const t4 = now();
    timings.align = t4 - t3;

    let result: AnalyzedFace[] = faces;
    if (options.embed !== false && faces.length > 0) {
      const vectors = await this.embedder.embed(faces.map((f) => f.crop));
      result = faces.map((f, i) => ({
        ...f,
        embedding: vectors[i],
        quality: withEmbeddingNorm(f.quality, vectors[i]?.norm, f.score),
      }));
    }
    const t5 = now();
    timings.embed = t5 - t4;
    timings.total = t5 - t0;
    return { width: decoded.width, height: decoded.height, faces: result, timings };
  }

  /** The sizes of one photo's reads: the working copy (landmarks, alignment, the detector's
   * finest level), the smallest face on it, and how large the first decode must be for the
   * detector's coarse levels (below 1: a smaller first copy, the working copy only if needed). */
  private readPlan(header: PhotoHeader): ReadPlan {
    const maxSide = this.options.maxSide ?? DEFAULT_MAX_SIDE;
    // Shrink-on-load only at the default size: a caller asking for a smaller copy gets it.
    const shrinkOnLoad = maxSide >= DEFAULT_MAX_SIDE;
    const minSide = Math.round(maxSide * MIN_WORKING_SHARE);
    const [workW, workH] = workingSize(header.width, header.height, header.format, {
      maxSide,
      ...(shrinkOnLoad ? { minSide } : {}),
    });
    // A copy decoded larger than maxSide (shrink-on-load) keeps the same smallest face relative to the photo.
    const workLong = Math.max(workW, workH);
    const minFacePx = workLong > maxSide ? (REFERENCE_MIN_FACE_PX * workLong) / maxSide : undefined;
    const detectOptions = minFacePx === undefined ? {} : { minFacePx };
    const coarse =
      shrinkOnLoad && this.options.progressiveDecode !== false && this.detector.coarseScale
        ? this.detector.coarseScale(workW, workH, detectOptions)
        : 1;
    const decode = { ...this.limits(), maxSide, ...(shrinkOnLoad ? { minSide } : {}) };
    return {
      working: decode,
      first: coarse < 1 ? { ...decode, minSide: Math.ceil(workLong * coarse) } : decode,
      workWidth: workW,
      minFacePx: minFacePx ?? REFERENCE_MIN_FACE_PX,
      passMinFace: minFacePx !== undefined,
    };
  }

  /** Detections on the first copy, or on the working copy when the detector's finest level needed
   * it (then `decoded` is that copy and the boxes are scaled to it). */
  private async detectFaces(
    bytes: Uint8Array,
    first: DecodedImage,
    plan: ReadPlan,
  ): Promise<{ decoded: DecodedImage; detections: Detection[]; fineDecodeMs: number }> {
    const factor = plan.workWidth / first.image.width;
    let fine: DecodedImage | undefined;
    let fineDecodeMs = 0;
    const finer: FinerCopy = {
      factor,
      load: async () => {
        const t = now();
        fine = await decodeImage(bytes, plan.working);
        fineDecodeMs = now() - t;
        return fine.image;
      },
    };
    const detections = await this.detector.detect(first.image, {
      ...(factor > 1 || plan.passMinFace ? { minFacePx: plan.minFacePx / factor } : {}),
      ...(this.options.detectEffort ? { effort: this.options.detectEffort } : {}),
      ...(factor > 1 ? { finer } : {}),
    });
    const loaded = fine as DecodedImage | undefined;
    if (!loaded) return { decoded: first, detections, fineDecodeMs };
    const fx = loaded.image.width / first.image.width,
      fy = loaded.image.height / first.image.height;
    const scaled = detections.map((d) => ({
      ...d,
      box: [d.box[0] * fx, d.box[1] * fy, d.box[2] * fx, d.box[3] * fy] as Box,
    }));
    return { decoded: loaded, detections: scaled, fineDecodeMs };
  }

  private limits(): { maxBytes: number; maxPixels: number } {
    return { maxBytes: this.config.maxBytes, maxPixels: this.config.maxPixels };
  }

  /** Five landmarks per kept detection: the detector's own when it gives them, else the landmark model's. */
  private async locateLandmarks(
    work: RgbImage,
    kept: readonly { box: Box; score: number; landmarks?: FivePoints }[],
  ): Promise<{ box: Box; score: number; landmarks: FivePoints }[]> {
    const located: { box: Box; score: number; landmarks: FivePoints }[] = [];
    for (const d of kept) {
      located.push({
        box: d.box,
        score: d.score,
        landmarks: d.landmarks ?? (await this.landmarks.locate(work, d.box)),
      });
    }
    return located;
  }

  /** A sharper read of the faces that are smaller in the working copy than the template wants
   * (eye distance under the template's, and at least 1.25x sharper available): one decode of the
   * rectangle around all of them, at the scale the smallest needs. Undefined when no face needs it. */
  private async detailRegion(
    bytes: Uint8Array,
    decoded: DecodedImage,
    landmarks: readonly FivePoints[],
  ): Promise<{ region: DecodedRegion; faces: Set<number> } | undefined> {
    if (decoded.scale >= 1 || landmarks.length === 0 || this.options.sharpAlign === false) return undefined;
    const template = this.embedder.template;
    const [a, b] = template.points;
    const templateIod = Math.hypot(a![0] - b![0], a![1] - b![1]);
    const cap = Math.min(1, Math.sqrt(MAX_DETAIL_PIXELS / (decoded.width * decoded.height)));
    let scale = decoded.scale;
    const faces = new Set<number>();
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -Infinity,
      y1 = -Infinity;
    landmarks.forEach((p, i) => {
      const iodWork = Math.hypot(p[0][0] - p[1][0], p[0][1] - p[1][1]);
      if (iodWork <= 0 || iodWork >= templateIod) return;
      const wanted = Math.min(cap, (decoded.scale * templateIod) / iodWork);
      if (wanted < decoded.scale * 1.25) return;
      faces.add(i);
      scale = Math.max(scale, wanted);
      // The template square mapped back into the photo (original pixels), plus a margin for the
      // anti-aliasing filter.
      const inv = invertAffine(similarityTransform(p, template.points));
      const corners: Point[] = [
        [0, 0],
        [template.size, 0],
        [0, template.size],
        [template.size, template.size],
      ];
      for (const c of corners) {
        const [x, y] = applyAffine(inv, c);
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    });
    if (faces.size === 0) return undefined;
    const margin = 4 / decoded.scale;
    const left = Math.max(0, x0 / decoded.scale - margin),
      top = Math.max(0, y0 / decoded.scale - margin);
    const area: Region = {
      x: left,
      y: top,
      width: Math.min(decoded.width, x1 / decoded.scale + margin) - left,
      height: Math.min(decoded.height, y1 / decoded.scale + margin) - top,
    };
    if (area.width <= 1 || area.height <= 1) return undefined;
    const region = await decodeRegion(
      bytes,
      { maxBytes: this.config.maxBytes, maxPixels: this.config.maxPixels },
      decoded,
      area,
      scale,
    );
    return { region, faces };
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
  const threads = options.threads ?? config.threads;
  const cfg = {
    modelsDir: config.modelsDir,
    ...(threads === undefined ? {} : { threads }),
    ...(options.graphRewrites === undefined ? {} : { graphRewrites: options.graphRewrites }),
  };
  // Damaged weights load and give wrong vectors: check their hashes first (once per process).
  await verifyModelFiles(config.modelsDir, [config.detector, options.landmarks ?? DEFAULT_LANDMARKS, config.embedder]);
  // Threads per stage, measured here on the graphs as shipped (ONNX Runtime, 2 cores, ms per
  // inference, 1 vs 2 threads): the detector's 320x240 tile 2.8 vs 3.5 wall (5.1 CPU), the 64x64
  // landmark net 0.27 vs 0.61, the embedder 10.7 vs 9.6 wall (15.0 CPU). The small nets lose to
  // thread hand-off on a second thread, so they always run on one; the embedder gets the configured
  // threads. (With the load-time rewrites the embedder takes ~4 ms on one thread and the detector
  // runs whole levels; threads per stage were not measured again.)
  const small = { ...cfg, threads: 1 };
  const [detector, landmarks, embedder] = await Promise.all([
    createDetector(config.detector, small),
    createLandmarkLocator(options.landmarks ?? DEFAULT_LANDMARKS, small),
    createEmbedder(config.embedder, cfg),
  ]);
  return new DefaultFaceAnalyzer(config, detector, landmarks, embedder, options);
}
