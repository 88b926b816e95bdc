import { cluster } from '#core/cluster/index.ts';
import type { ClusterConstraints, ClusterFace, ClusterResult } from '#core/cluster/types.ts';
import type { BlobStore } from '#core/ports/blob-store.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { FaceStore } from '#core/ports/face-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { FaceVector, RgbImage } from '#core/types.ts';
import type { AnalyzedPhoto } from '#core/vision/types.ts';

/** What the use-cases need from the vision engine (implemented by the analyzer in #core/vision). */
export interface PhotoAnalyzer {
  /** The embedder's model id: vectors carry it, clustering only compares vectors that share it. */
  readonly embedderId: string;
  analyze(bytes: Uint8Array, options?: { embed?: boolean }): Promise<AnalyzedPhoto>;
  embedCrops(crops: readonly RgbImage[]): Promise<FaceVector[]>;
}

/** Clustering as a function, so use-cases stay independent of the algorithm's options. */
export type Clusterer = (faces: readonly ClusterFace[], constraints: ClusterConstraints) => ClusterResult;

/** The clusterer every shell uses (CLI, Lambda, npm run local, benches, tests): default options. */
export const defaultClusterer: Clusterer = (faces, constraints) => cluster(faces, {}, constraints);

export interface StoreDeps {
  readonly blobs: BlobStore;
  readonly faces: FaceStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How face crops are stored: one image per face (the default; the local CLI's report links
   * them), or one sheet per photo holding all its faces (the cloud: one S3 PUT per photo, not per
   * face; docs/benchmarks.md). */
  readonly cropLayout?: 'per-face' | 'sheet';
}
