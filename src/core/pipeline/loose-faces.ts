import type { FaceRecord, FaceStore } from '#core/ports/face-store.ts';
import { passesQualityGate } from '#core/quality-gate.ts';

/** Faces in no person, for the web app's "Unassigned" and "Low quality" views and `GET /faces`:
 * `unassigned` = passed the quality gate but joined nobody; `gated` = below the gate (never
 * clustered, see issue 14). Sorted by photo, then face id, like people.json's arrays. */
export type LooseKind = 'unassigned' | 'gated';

export async function listLooseFaces(
  userId: string,
  kind: LooseKind,
  store: Pick<FaceStore, 'listFaces' | 'listPeople'>,
): Promise<FaceRecord[]> {
  const [faces, people] = await Promise.all([store.listFaces(userId), store.listPeople(userId)]);
  const assigned = new Set(people.flatMap((p) => p.faceIds));
  const wantGated = kind === 'gated';
  return faces
    .filter((f) => !assigned.has(f.faceId) && passesQualityGate(f.quality) !== wantGated)
    .sort((a, b) =>
      a.photoId < b.photoId ? -1 : a.photoId > b.photoId ? 1 : a.faceId < b.faceId ? -1 : a.faceId > b.faceId ? 1 : 0,
    );
}
