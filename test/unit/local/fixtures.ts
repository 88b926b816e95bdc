import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import type { FaceRecord, PersonRecord, PhotoRecord, VectorRecord } from '#core/ports/face-store.ts';

/** A store in a fresh temp folder (a real file, so WAL is exercised), removed by `cleanup`. */
export function tempStore(): { store: SqliteFaceStore; dir: string; file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rankface-store-'));
  const file = join(dir, 'rankface.db');
  const store = new SqliteFaceStore(file);
  return {
    store,
    dir,
    file,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const photo = (userId: string, photoId: string, extra: Partial<PhotoRecord> = {}): PhotoRecord => ({
  userId,
  photoId,
  sourceKey: `albums/${photoId}.jpg`,
  contentHash: photoId.padEnd(64, '0'),
  width: 640,
  height: 480,
  status: 'embedded',
  faceCount: 2,
  updatedAt: 1_700_000_000_000,
  ...extra,
});

export const face = (userId: string, photoId: string, index: number, extra: Partial<FaceRecord> = {}): FaceRecord => ({
  userId,
  photoId,
  faceId: `${photoId}#${String(index).padStart(3, '0')}`,
  box: [10.5 + index * 100, 20.25, 80.125, 96],
  score: 0.987654321,
  landmarks: [
    [30, 50],
    [70, 50],
    [50, 70],
    [35, 90],
    [65, 90],
  ],
  quality: { sizePx: 80.125, sharpness: 123.456, yaw: -3.5, pitch: 1.25, roll: 0.5 },
  cropKey: `faces/${userId}/${photoId}/${String(index).padStart(3, '0')}.png`,
  ...extra,
});

/** Vector values chosen to catch lossy storage: tiny, huge, negative zero, many mantissa bits. */
export function vector(seed: number, dim = 512): Float32Array {
  const v = new Float32Array(dim);
  let x = (seed * 2654435761) % 4294967296;
  for (let i = 0; i < dim; i++) {
    x = (x * 1664525 + 1013904223) % 4294967296;
    v[i] = (x / 4294967296 - 0.5) * Math.pow(10, (i % 7) - 3);
  }
  v[0] = -0;
  v[1] = 1.401298464324817e-45; // smallest subnormal
  v[2] = 3.4028234663852886e38;
  return v;
}

export const vectorRecord = (f: FaceRecord, modelId = 'faceplugin-arcface512', seed = 1): VectorRecord => ({
  userId: f.userId,
  faceId: f.faceId,
  photoId: f.photoId,
  modelId,
  modelVersion: '1',
  vector: vector(seed),
});

export const person = (
  userId: string,
  personId: string,
  faceIds: string[],
  extra: Partial<PersonRecord> = {},
): PersonRecord => ({
  userId,
  personId,
  faceIds,
  coverFaceId: faceIds[0]!,
  cohesion: 0.75,
  updatedAt: 1_700_000_000_000,
  ...extra,
});
