import * as ort from 'onnxruntime-node';
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
  // Two calls because ort's overloads (path, bytes) do not accept the union.
  const session =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model, settings)
      : await ort.InferenceSession.create(model, settings);
  return new OnnxSession(session);
}
