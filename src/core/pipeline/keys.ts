import { createHash } from 'node:crypto';

/** Key layout shared by every adapter. Every key is derived from content or identity, never random,
 * so at-least-once delivery converges on the same records. */

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Face ids: `<photoId>#<index>` with faces in a deterministic order. When the photo id comes from a
 * key rather than the content (cloud uploads), the id also carries the content's hash,
 * `<photoId>#<content8>-<index>`: new content under an old key gets new face ids, so edits made on
 * the old faces (must-link, not-this-person) never apply to a different face (issue 13 item 7). */
export const faceIdOf = (photoId: string, index: number, contentHash?: string): string =>
  `${photoId}#${contentHash ? `${contentHash.slice(0, 8)}-` : ''}${String(index).padStart(3, '0')}`;

/** Aligned face crops live under their own prefix, per user, never under `uploads/`. */
export const cropKeyOf = (userId: string, faceId: string): string =>
  `faces/${encodeURIComponent(userId)}/${faceId.replace('#', '/')}.png`;

/** A new person's id: deterministic in the faces it was born with. */
export const newPersonIdOf = (faceIds: readonly string[]): string =>
  'p_' + createHash('sha256').update([...faceIds].sort().join('\n')).digest('hex').slice(0, 16);
