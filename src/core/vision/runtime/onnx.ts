import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { rewritePreluAsDepthwise } from '#core/vision/onnx/prelu-as-depthwise.ts';
import type { InferenceSession, SessionOptions, Tensor, TensorMap } from './types.ts';

/** Default intra-op threads: 2 for a lone analyzer (this machine class has 2 cores); a worker pool
 * passes 1 so its workers do not fight over the cores. */
export const DEFAULT_THREADS = 2;

class OnnxSession implements InferenceSession {
  readonly backend = 'onnxruntime-node' as const;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  constructor(private readonly session: ort.InferenceSession) {
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
  }

  async run(feeds: TensorMap): Promise<TensorMap> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, [...t.dims]);
    const results = await this.session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(results)) {
      if (t.type !== 'float32') throw new Error(`onnx: output '${name}' has type ${t.type}, expected float32`);
      // Copy: the runtime may reuse its output buffers on the next run.
      out[name] = { data: new Float32Array(t.data as Float32Array), dims: [...t.dims] };
      t.dispose();
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** The one ONNX Runtime session factory: every model (a file, or an in-memory graph such as the
 * TFLite-to-ONNX rewrite of mobilefacenet) gets the same threading and no-spin settings. */
export async function loadOnnxSession(
  model: string | Uint8Array,
  options: SessionOptions = {},
): Promise<InferenceSession> {
  const threads = options.threads ?? DEFAULT_THREADS;
  const spin = options.spin ?? false;
  const settings: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // No spin-waiting between ops: on a shared or oversubscribed machine (a worker pool, other
    // processes) spinning threads burn the cores the other workers need.
    ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }),
  };
  const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
  // Per-channel PReLUs as depthwise convolutions: same outputs bit for bit, ~2.5x faster embedder
  // (prelu-as-depthwise.ts says why). The model as shipped stays the fallback.
  const rewritten = options.rewritePrelu === false ? undefined : rewritePreluAsDepthwise(bytes);
  if (rewritten && rewritten.rewritten > 0) {
    try {
      return new OnnxSession(await ort.InferenceSession.create(rewritten.model, settings));
    } catch {
      // A graph the rewrite did not foresee (e.g. a [C,1,1] slope on a rank-3 input): run it as is.
    }
  }
  return new OnnxSession(await ort.InferenceSession.create(bytes, settings));
}
