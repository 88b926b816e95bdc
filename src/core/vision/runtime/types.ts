/** One small interface over inference backends (ONNX Runtime, TensorFlow.js), so detectors,
 * landmark models and embedders do not depend on which runtime executes them. */

/** A dense float32 tensor: row-major data plus its shape. */
export interface Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Tensors keyed by the model's input or output names. */
export type TensorMap = Record<string, Tensor>;

export type BackendName = 'onnxruntime-node' | 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu';

export interface InferenceSession {
  /** Which runtime executes this model (reported by `rankface doctor` and benchmarks). */
  readonly backend: BackendName;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Run the model once. Output tensors are owned by the caller (copied out of the runtime). */
  run(feeds: TensorMap): Promise<TensorMap>;
  dispose(): Promise<void>;
}

export interface SessionOptions {
  /** Threads for one inference. Default: 1 when running inside a worker pool (the pool already uses
   * every core), else 2. */
  readonly threads?: number;
  /** Let idle runtime threads spin-wait for work (ONNX Runtime's default). Off by default: on a
   * shared or oversubscribed machine spinning threads burn the cores other work needs (measured
   * here: 5-10x slower wall time under load, 3.5x more CPU per photo). */
  readonly spin?: boolean;
  /** ONNX: run per-channel PReLUs as depthwise convolutions (bit-identical outputs, ~2.5x faster
   * embedder; `#core/vision/onnx/prelu-as-depthwise.ts`). Default true; false runs the graph as
   * shipped (the benchmark's "before"). */
  readonly rewritePrelu?: boolean;
}
