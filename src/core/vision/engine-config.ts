/** What the vision engine needs to know: which models, where they are, what input to refuse. The
 * core only declares it; `#config/engine.ts` reads it from the environment once and re-exports it
 * (config depends on core, never the reverse: a lint rule keeps `#config` out of `src/core`). */
export interface EngineConfig {
  /** Folder holding models/<id>/ as written by `npm run models`. */
  readonly modelsDir: string;
  /** Detector model id (see models/manifest.json). */
  readonly detector: string;
  /** Embedder model id. */
  readonly embedder: string;
  /** Refuse images with more pixels than this (decompression bombs). */
  readonly maxPixels: number;
  /** Refuse inputs larger than this many bytes. */
  readonly maxBytes: number;
  /** ONNX Runtime intra-op threads when the caller does not choose (a worker pool passes 1). A
   * Lambda function below 3,538 MB has at most one vCPU's time: a second thread only adds
   * hand-over work (measured in docs/benchmarks.md), so the stack sets 1. */
  readonly threads?: number;
}
