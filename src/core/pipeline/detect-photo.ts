import { RankfaceError } from '#core/errors.ts';
import type { FaceRecord, PhotoRecord } from '#core/ports/face-store.ts';
import type { AnalyzedPhoto } from '#core/vision/types.ts';
import type { CropRegion } from '#core/types.ts';
import { encodeCrop, encodeCropSheet, SHEET_CONTENT_TYPE, type SheetFormat } from './crops.ts';
import type { PhotoAnalyzer, StoreDeps } from './deps.ts';
import { toRecordedError, type RecordedError } from './errors.ts';
import { cropKeyOf, cropSheetKeyOf, faceIdOf, sha256Hex } from './keys.ts';

export interface PhotoInput {
  readonly userId: string;
  readonly photoId: string;
  /** S3 key or relative path, recorded for display and deletes. */
  readonly sourceKey: string;
  readonly bytes: Uint8Array;
  /** The photo id is derived from the key (cloud), not the content: face ids then carry the
   * content hash, so they change when the key's content changes. */
  readonly idFromKey?: boolean;
}

export interface PhotoOutcome {
  readonly photoId: string;
  readonly status: 'detected' | 'embedded' | 'error';
  readonly faceIds: string[];
  readonly error?: RecordedError;
}

export interface DetectDeps extends StoreDeps {
  readonly analyzer: PhotoAnalyzer;
}

interface StoredCrop {
  readonly cropKey: string;
  readonly cropRegion?: CropRegion;
}

/** Store the photo's crops: one object per face, or one sheet for the whole photo. */
async function storeCrops(
  input: PhotoInput,
  photo: AnalyzedPhoto,
  faceIds: readonly string[],
  deps: StoreDeps,
  sheetFormat: SheetFormat,
): Promise<StoredCrop[]> {
  if (photo.faces.length === 0) return [];
  if (deps.cropLayout !== 'sheet') {
    return Promise.all(
      photo.faces.map(async (face, i) => {
        const cropKey = cropKeyOf(input.userId, faceIds[i]!);
        await deps.blobs.put(cropKey, await encodeCrop(face.crop), 'image/png');
        return { cropKey };
      }),
    );
  }
  const sheet = await encodeCropSheet(
    photo.faces.map((f) => f.crop),
    sheetFormat,
  );
  const cropKey = cropSheetKeyOf(
    input.userId,
    input.photoId,
    input.idFromKey ? sha256Hex(input.bytes) : undefined,
    sheetFormat === 'jpeg' ? 'jpg' : 'png',
  );
  await deps.blobs.put(cropKey, sheet.bytes, SHEET_CONTENT_TYPE[sheetFormat]);
  return sheet.regions.map((cropRegion) => ({ cropKey, cropRegion }));
}

/** Turn an analysed photo into face records and stored crops. Shared by the split (detect, then
 * embed) and the one-shot pipelines. A sheet is JPEG when the vectors come in the same pass, and
 * PNG (exact pixels) when the embed stage will read the crops back. */
async function storeFaces(
  input: PhotoInput,
  photo: AnalyzedPhoto,
  deps: StoreDeps,
  sheetFormat: SheetFormat,
): Promise<FaceRecord[]> {
  const contentTag = input.idFromKey ? sha256Hex(input.bytes) : undefined;
  const faceIds = photo.faces.map((_, index) => faceIdOf(input.photoId, index, contentTag));
  const crops = await storeCrops(input, photo, faceIds, deps, sheetFormat);
  const records: FaceRecord[] = photo.faces.map((face, i) => ({
    userId: input.userId,
    faceId: faceIds[i]!,
    photoId: input.photoId,
    box: face.box,
    score: face.score,
    landmarks: face.landmarks,
    quality: face.quality,
    ...crops[i]!,
  }));
  // Replace, not append: a second delivery of the same photo converges on the same rows.
  await deps.faces.replaceFaces(input.userId, input.photoId, records);
  return records;
}

function photoRecord(
  input: PhotoInput,
  photo: Pick<AnalyzedPhoto, 'width' | 'height'>,
  deps: StoreDeps,
  status: PhotoRecord['status'],
  faceCount: number,
  error?: RecordedError,
): PhotoRecord {
  return {
    userId: input.userId,
    photoId: input.photoId,
    sourceKey: input.sourceKey,
    contentHash: sha256Hex(input.bytes),
    width: photo.width,
    height: photo.height,
    status,
    ...(error ? { error } : {}),
    faceCount,
    updatedAt: deps.clock.now(),
  };
}

/** A photo that cannot be processed gets an error status and loses any faces an earlier version of
 * it had; the error is logged and returned, never thrown, so a batch goes on. */
async function recordFailure(input: PhotoInput, err: unknown, deps: StoreDeps): Promise<PhotoOutcome> {
  const error = toRecordedError(err);
  deps.logger.warn('photo failed', {
    userId: input.userId,
    photoId: input.photoId,
    sourceKey: input.sourceKey,
    ...error,
  });
  await deps.faces.replaceFaces(input.userId, input.photoId, []);
  await deps.faces.putPhoto(photoRecord(input, { width: 0, height: 0 }, deps, 'error', 0, error));
  return { photoId: input.photoId, status: 'error', faceIds: [], error };
}

/** Detect stage of the split pipeline: faces + crops, no vectors (the embed stage adds them). */
export async function detectPhoto(input: PhotoInput, deps: DetectDeps): Promise<PhotoOutcome> {
  let photo: AnalyzedPhoto;
  try {
    photo = await deps.analyzer.analyze(input.bytes, { embed: false });
  } catch (err) {
    return recordFailure(input, err, deps);
  }
  const records = await storeFaces(input, photo, deps, 'png');
  await deps.faces.putPhoto(photoRecord(input, photo, deps, 'detected', records.length));
  deps.logger.info('photo detected', { userId: input.userId, photoId: input.photoId, faces: records.length });
  return { photoId: input.photoId, status: 'detected', faceIds: records.map((r) => r.faceId) };
}

/** One-shot pipeline (local CLI): detect, align and embed in one pass, no crop round trip. */
export async function processPhoto(input: PhotoInput, deps: DetectDeps): Promise<PhotoOutcome> {
  let photo: AnalyzedPhoto;
  try {
    photo = await deps.analyzer.analyze(input.bytes, { embed: true });
    for (const face of photo.faces) if (face.embedding) assertFiniteVector(face.embedding.vector);
  } catch (err) {
    return recordFailure(input, err, deps);
  }
  return storeAnalyzedPhoto(input, photo, deps);
}

/** Store a photo analysed elsewhere (e.g. in a worker thread) with its vectors. */
export async function storeAnalyzedPhoto(
  input: PhotoInput,
  photo: AnalyzedPhoto,
  deps: StoreDeps,
): Promise<PhotoOutcome> {
  const records = await storeFaces(input, photo, deps, 'jpeg');
  const vectors = records.flatMap((r, i) => {
    const embedding = photo.faces[i]?.embedding;
    return embedding
      ? [
          {
            userId: input.userId,
            faceId: r.faceId,
            photoId: input.photoId,
            modelId: embedding.modelId,
            modelVersion: embedding.modelVersion,
            vector: embedding.vector,
          },
        ]
      : [];
  });
  await deps.faces.putVectors(vectors);
  await deps.faces.putPhoto(photoRecord(input, photo, deps, 'embedded', records.length));
  return { photoId: input.photoId, status: 'embedded', faceIds: records.map((r) => r.faceId) };
}

export { recordFailure as recordPhotoFailure };

/** A vector with NaN or infinite values (damaged weights) would poison every distance it takes
 * part in: it is refused, never stored. */
export function assertFiniteVector(vector: Float32Array): void {
  for (const v of vector) {
    if (!Number.isFinite(v))
      throw new RankfaceError(
        'bad-vector',
        'the embedder produced a non-finite vector (damaged model?); run `npm run models`',
      );
  }
}
