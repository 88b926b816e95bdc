import { join } from 'node:path';
import type { FaceVector, RgbImage } from '#core/types.ts';
import { ARCFACE_112_TEMPLATE } from '#core/vision/align.ts';
import { toChwFloat } from '#core/vision/image-ops.ts';
import { readModelVersion } from '#core/vision/model-info.ts';
import { loadOnnxSession } from '#core/vision/runtime/onnx.ts';
import type { InferenceSession, SessionOptions } from '#core/vision/runtime/types.ts';
import type { AlignmentTemplate, Embedder } from '#core/vision/types.ts';
import { l2Norm, l2Normalize } from '#core/vision/vector.ts';

const SIZE = 112;

/** Faceplugin's ArcFace-style 512-D recogniser on ONNX Runtime: 112x112 RGB crops aligned on the
 * ArcFace template, (v - 127) / 128. The graph has a fixed batch of 1, so crops run one by one. */
export class ArcfaceOnnxEmbedder implements Embedder {
  readonly dim = 512;
  readonly template: AlignmentTemplate = ARCFACE_112_TEMPLATE;

  constructor(
    private readonly session: InferenceSession,
    readonly modelId: string,
    readonly modelVersion: string,
  ) {}

  async embed(crops: readonly RgbImage[]): Promise<FaceVector[]> {
    const out: FaceVector[] = [];
    for (const crop of crops) {
      if (crop.width !== SIZE || crop.height !== SIZE)
        throw new Error(`${this.modelId}: crop must be ${SIZE}x${SIZE}, got ${crop.width}x${crop.height}`);
      const input = toChwFloat(crop, 127, 128);
      const res = await this.session.run({ input: { data: input, dims: [1, 3, SIZE, SIZE] } });
      const raw = res.output!.data;
      // The raw length is a quality signal: crops with little identity in them embed short.
      out.push({ modelId: this.modelId, modelVersion: this.modelVersion, vector: l2Normalize(raw), norm: l2Norm(raw) });
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

export async function createArcfaceOnnxEmbedder(
  modelsDir: string,
  threads?: number,
  options: Pick<SessionOptions, 'rewritePrelu'> = {},
): Promise<ArcfaceOnnxEmbedder> {
  const id = 'faceplugin-arcface512';
  const session = await loadOnnxSession(join(modelsDir, id, 'model.onnx'), {
    ...options,
    ...(threads === undefined ? {} : { threads }),
  });
  return new ArcfaceOnnxEmbedder(session, id, await readModelVersion(modelsDir, id));
}
