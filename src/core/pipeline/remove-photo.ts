import type { StoreDeps } from './deps.ts';

/** A photo was deleted at its source: drop its crops, faces and vectors. People are fixed up by the
 * next clustering run (which only sees the remaining faces). Idempotent. */
export async function removePhoto(userId: string, photoId: string, deps: StoreDeps): Promise<number> {
  const faces = await deps.faces.listFacesOfPhoto(userId, photoId);
  for (const face of faces) if (face.cropKey) await deps.blobs.delete(face.cropKey);
  await deps.faces.deletePhoto(userId, photoId);
  deps.logger.info('photo removed', { userId, photoId, faces: faces.length });
  return faces.length;
}
