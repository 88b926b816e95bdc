import type { StoreDeps } from './deps.ts';

/** A photo was deleted at its source: drop its crops, faces and vectors. People are fixed up by the
 * next clustering run (which only sees the remaining faces). Idempotent. */
export async function removePhoto(userId: string, photoId: string, deps: StoreDeps): Promise<number> {
  const faces = await deps.faces.listFacesOfPhoto(userId, photoId);
  // Faces of one photo share its crop sheet: each object once.
  for (const key of new Set(faces.flatMap((f) => (f.cropKey ? [f.cropKey] : [])))) await deps.blobs.delete(key);
  await deps.faces.deletePhoto(userId, photoId);
  deps.logger.info('photo removed', { userId, photoId, faces: faces.length });
  return faces.length;
}
