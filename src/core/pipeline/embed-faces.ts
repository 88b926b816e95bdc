import type { RgbImage } from '#core/types.ts';
import { cropFromSheet, decodeCrop } from './crops.ts';
import { assertFiniteVector } from './detect-photo.ts';
import type { PhotoAnalyzer, StoreDeps } from './deps.ts';

export interface EmbedDeps extends StoreDeps {
  readonly analyzer: Pick<PhotoAnalyzer, 'embedCrops'>;
}

/** Embed stage of the split pipeline: read a photo's stored crops, write one vector per face.
 * Idempotent: vectors are keyed by face id and model, so a repeat overwrites with equal values. */
export async function embedPhotoFaces(userId: string, photoId: string, deps: EmbedDeps): Promise<number> {
  const photo = await deps.faces.getPhoto(userId, photoId);
  if (!photo || photo.status === 'error' || photo.status === 'deleted') return 0;
  const faces = await deps.faces.listFacesOfPhoto(userId, photoId);
  // A crop sheet holds every face of the photo: read and decode it once.
  const images = new Map<string, Promise<RgbImage | undefined>>();
  const imageOf = (key: string) => {
    if (!images.has(key))
      images.set(
        key,
        deps.blobs.get(key).then((bytes) => (bytes ? decodeCrop(bytes) : undefined)),
      );
    return images.get(key)!;
  };
  const withCrops = [];
  for (const face of faces) {
    const image = face.cropKey ? await imageOf(face.cropKey) : undefined;
    if (!image) {
      deps.logger.warn('face crop missing', { userId, photoId, faceId: face.faceId, cropKey: face.cropKey });
      continue;
    }
    withCrops.push({ face, crop: cropFromSheet(image, face.cropRegion) });
  }
  const vectors = await deps.analyzer.embedCrops(withCrops.map((c) => c.crop));
  for (const v of vectors) assertFiniteVector(v.vector);
  await deps.faces.putVectors(
    withCrops.map(({ face }, i) => ({
      userId,
      faceId: face.faceId,
      photoId,
      modelId: vectors[i]!.modelId,
      modelVersion: vectors[i]!.modelVersion,
      vector: vectors[i]!.vector,
    })),
  );
  await deps.faces.putPhoto({ ...photo, status: 'embedded', updatedAt: deps.clock.now() });
  return withCrops.length;
}
