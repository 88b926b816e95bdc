import { createHash } from 'node:crypto';

/** Key layout shared by every adapter. Every key is derived from content or identity, never random,
 * so at-least-once delivery converges on the same records. */

/** A photo's hash is asked for several times while it is processed (the redelivery check, its face
 * ids, its crop sheet, its record): ~6 ms of CPU each for a 3 MB photo, so it is computed once per
 * buffer. */
const hashes = new WeakMap<Uint8Array, string>();
export const sha256Hex = (bytes: Uint8Array): string => {
  let hash = hashes.get(bytes);
  if (hash === undefined) {
    hash = createHash('sha256').update(bytes).digest('hex');
    hashes.set(bytes, hash);
  }
  return hash;
};

/** Face ids: `<photoId>#<index>` with faces in a deterministic order. When the photo id comes from a
 * key rather than the content (cloud uploads), the id also carries the content's hash,
 * `<photoId>#<content8>-<index>`: new content under an old key gets new face ids, so edits made on
 * the old faces (must-link, not-this-person) never apply to a different face (issue 13 item 7). */
export const faceIdOf = (photoId: string, index: number, contentHash?: string): string =>
  `${photoId}#${contentHash ? `${contentHash.slice(0, 8)}-` : ''}${String(index).padStart(3, '0')}`;

/** Aligned face crops live under their own prefix, per user, never under `uploads/`. */
export const cropKeyOf = (userId: string, faceId: string): string =>
  `faces/${encodeURIComponent(userId)}/${faceId.replace('#', '/')}.png`;

/** A photo's crop sheet (every face of the photo in one image): next to where its faces' own crops
 * would be, named by the content tag of its face ids, so new content under an old key never
 * overwrites the sheet the old faces point at. */
export const cropSheetKeyOf = (
  userId: string,
  photoId: string,
  contentHash: string | undefined,
  extension: string,
): string =>
  `faces/${encodeURIComponent(userId)}/${photoId}/${contentHash ? contentHash.slice(0, 8) : 'sheet'}.${extension}`;

/** A new person's id: deterministic in the faces it was born with. */
export const newPersonIdOf = (faceIds: readonly string[]): string =>
  'p_' +
  createHash('sha256')
    .update([...faceIds].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
