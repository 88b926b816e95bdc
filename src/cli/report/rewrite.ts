import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import type { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import type { PeopleReport } from './model.ts';
import { writeReport } from './write.ts';

/** The people.json of the last write to an output folder. */
export async function readPeopleJson(outDir: string): Promise<PeopleReport> {
  return JSON.parse(await readFile(join(outDir, 'people.json'), 'utf8')) as PeopleReport;
}

/** After an edit (CLI edit commands, `rankface serve`), `people.json` and `index.html` are rewritten
 * from the store, keeping what only the last scan knew (photos folder, models, skipped files,
 * duplicates: read back from `previous`, the last people.json). No re-analysis: thumbnails and the
 * map are reused. */
export async function rewriteReportFromStore(
  outDir: string,
  userId: string,
  store: SqliteFaceStore,
  blobs: FsBlobStore,
  previous: PeopleReport,
): Promise<PeopleReport> {
  const modelId = previous.models.embedder;
  const [photos, faces, people, vectors] = await Promise.all([
    store.listPhotos(userId),
    store.listFaces(userId),
    store.listPeople(userId),
    store.listVectors(userId, modelId),
  ]);
  const cropOf = new Map(faces.map((f) => [f.faceId, f.cropKey]));
  const written = await writeReport({
    outDir,
    photosDir: previous.photos_dir,
    generatedAt: new Date(),
    models: previous.models,
    photos,
    faces,
    people,
    skipped: previous.skipped,
    duplicates: previous.duplicates ?? [],
    modelId,
    vectors: vectors.map((v) => ({ id: v.faceId, vector: v.vector })),
    readPhoto: async (photo) => new Uint8Array(await readFile(join(previous.photos_dir, ...photo.split('/')))),
    readCrop: async (faceId) => {
      const key = cropOf.get(faceId);
      return key ? blobs.get(key) : undefined;
    },
  });
  return written.report;
}
