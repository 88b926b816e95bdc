import type { Detector, Embedder, LandmarkLocator } from '#core/vision/types.ts';

/** Every model the engine can run, by id (models/manifest.json). Loaders import their module
 * lazily, so a process pays only for the models it uses. To add a model: one line here. */

export interface ModelLoadConfig {
  /** Folder holding models/<id>/. */
  readonly modelsDir: string;
  /** Intra-op threads per inference (1 inside a worker pool). */
  readonly threads?: number;
  /** ONNX graph rewrites at load (PReLU as depthwise convolutions, the detector's any-size input):
   * default true; false runs every model as shipped (benchmarks' "before"). */
  readonly graphRewrites?: boolean;
}

export type DetectorLoader = (cfg: ModelLoadConfig) => Promise<Detector>;
export type EmbedderLoader = (cfg: ModelLoadConfig) => Promise<Embedder>;
export type LandmarkLoader = (cfg: ModelLoadConfig) => Promise<LandmarkLocator>;

export const detectorRegistry: Record<string, DetectorLoader> = {
  'ulfd-rfb320': async (cfg) =>
    (await import('./detectors/ulfd.ts')).createUlfdDetector(cfg.modelsDir, {
      ...(cfg.threads === undefined ? {} : { threads: cfg.threads }),
      wholeLevels: cfg.graphRewrites !== false,
    }),
  mtcnn: async (cfg) => (await import('./detectors/mtcnn.ts')).createMtcnnDetector(cfg.modelsDir),
};

export const embedderRegistry: Record<string, EmbedderLoader> = {
  'faceplugin-arcface512': async (cfg) =>
    (await import('./embedders/arcface-onnx.ts')).createArcfaceOnnxEmbedder(cfg.modelsDir, cfg.threads, {
      rewritePrelu: cfg.graphRewrites !== false,
    }),
  'dlib-resnet128': async (cfg) => (await import('./embedders/dlib-resnet.ts')).createDlibResnetEmbedder(cfg.modelsDir),
  mobilefacenet: async (cfg) =>
    (await import('./embedders/mobilefacenet.ts')).createMobileFaceNetEmbedder(
      cfg.modelsDir,
      cfg.threads === undefined ? {} : { threads: cfg.threads },
    ),
};

/** Landmark models, used for detectors that do not predict 5 points themselves. */
export const landmarkRegistry: Record<string, LandmarkLoader> = {
  'faceplugin-landmark68': async (cfg) =>
    (await import('./landmarks/faceplugin68.ts')).createFaceplugin68Locator(cfg.modelsDir, cfg.threads),
};

export const DEFAULT_LANDMARKS = 'faceplugin-landmark68';

export const knownDetectors = (): string[] => Object.keys(detectorRegistry).sort();
export const knownEmbedders = (): string[] => Object.keys(embedderRegistry).sort();
export const knownLandmarkModels = (): string[] => Object.keys(landmarkRegistry).sort();
