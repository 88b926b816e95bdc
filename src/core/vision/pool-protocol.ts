import type { EngineConfig } from '#core/vision/engine-config.ts';
import type { FaceVector, RgbImage } from '#core/types.ts';
import type { AnalyzeOptions, AnalyzerOptions } from '#core/vision/analyzer.ts';
import type { AlignmentTemplate, AnalyzedPhoto } from '#core/vision/types.ts';

/** Messages between the analyzer pool and its workers. */

export interface WorkerInit {
  readonly config: EngineConfig;
  readonly analyzer: AnalyzerOptions;
}

export type WorkerRequest =
  | { readonly id: number; readonly kind: 'analyze'; readonly bytes: Uint8Array; readonly options: AnalyzeOptions }
  | { readonly id: number; readonly kind: 'embed'; readonly crops: readonly RgbImage[] };

export interface SerializedError {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
}

export type WorkerResponse =
  | {
      readonly kind: 'ready';
      readonly embedderId: string;
      readonly embedderVersion: string;
      readonly embedderDim: number;
      readonly detectorId: string;
      readonly template: AlignmentTemplate;
    }
  | { readonly kind: 'init-failed'; readonly error: SerializedError }
  | { readonly id: number; readonly kind: 'analyzed'; readonly photo: AnalyzedPhoto }
  | { readonly id: number; readonly kind: 'embedded'; readonly vectors: FaceVector[] }
  | { readonly id: number; readonly kind: 'failed'; readonly error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

/** Buffers to transfer (not copy) with a message. */
export function transferablesOf(value: AnalyzedPhoto | readonly FaceVector[] | readonly RgbImage[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView): void => {
    if (a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength)
      buffers.add(a.buffer);
  };
  if ('faces' in value) {
    for (const f of value.faces) {
      add(f.crop.data);
      if (f.embedding) add(f.embedding.vector);
    }
  } else {
    for (const v of value) add('vector' in v ? v.vector : v.data);
  }
  return [...buffers];
}
