import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import type { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import type { PeopleReport } from '#cli/report/model.ts';
import { writeReport } from '#cli/report/write.ts';

/** After an edit through `rankface serve`, `people.json` and `index.html` are rewritten from the store,
 * as the CLI edit commands do: the photos folder, models, skipped and duplicate files are those of
 * the last `rankface cluster` run (read back from its people.json). Thumbnails and the map are reused. */
export async function rewriteOutputs(outDir: string, userId: string, store: SqliteFaceStore, blobs: FsBlobStore): Promise<void> {
  const last = JSON.parse(await readFile(join(outDir, 'people.json'), 'utf8')) as PeopleReport;
  const [photos, faces, people, vectors] = await Promise.all([
    store.listPhotos(userId), store.listFaces(userId), store.listPeople(userId), store.listVectors(userId, last.models.embedder),
  ]);
  const cropOf = new Map(faces.map((f) => [f.faceId, f.cropKey]));
  await writeReport({
    outDir,
    photosDir: last.photos_dir,
    generatedAt: new Date(),
    models: last.models,
    photos,
    faces,
    people,
    skipped: last.skipped,
    duplicates: last.duplicates,
    modelId: last.models.embedder,
    vectors: vectors.map((v) => ({ id: v.faceId, vector: v.vector })),
    readPhoto: async (photo) => new Uint8Array(await readFile(join(last.photos_dir, ...photo.split('/')))),
    readCrop: async (faceId) => {
      const key = cropOf.get(faceId);
      return key ? blobs.get(key) : undefined;
    },
  });
}
