import type { ClusterFace } from '#core/cluster/types.ts';
import type { PersonRecord } from '#core/ports/face-store.ts';
import { constraintsFromEdits } from './constraints.ts';
import type { Clusterer, StoreDeps } from './deps.ts';
import { assignStablePersonIds } from './stable-ids.ts';

export interface ClusterUserDeps extends Pick<StoreDeps, 'faces' | 'clock' | 'logger'> {
  readonly cluster: Clusterer;
  /** Only vectors of this model are clustered: vectors of different models are never compared. */
  readonly modelId: string;
}

export interface ClusterUserOutcome {
  readonly people: PersonRecord[];
  readonly unassigned: string[];
  /** Faces below the quality gate: not clustered. */
  readonly gated: string[];
  readonly faces: number;
}

/** Re-cluster one user's faces into people: their vectors, with their edits as constraints, keeping
 * person ids (and names, hidden flags) of the people that persist. Same input, same output. */
export async function clusterUser(userId: string, deps: ClusterUserDeps): Promise<ClusterUserOutcome> {
  const [vectors, faceRecords, edits, previous] = await Promise.all([
    deps.faces.listVectors(userId, deps.modelId),
    deps.faces.listFaces(userId),
    deps.faces.listEdits(userId),
    deps.faces.listPeople(userId),
  ]);
  const known = new Set(faceRecords.map((f) => f.faceId));
  // Quality scores go along so that the clusterer's quality gate applies (issue 14).
  const qualityOf = new Map(faceRecords.map((f) => [f.faceId, f.quality?.score]));
  const clusterFaces: ClusterFace[] = vectors
    .filter((v) => known.has(v.faceId))
    .sort((a, b) => (a.faceId < b.faceId ? -1 : a.faceId > b.faceId ? 1 : 0))
    .map((v) => {
      const quality = qualityOf.get(v.faceId);
      return { id: v.faceId, photoId: v.photoId, vector: v.vector, modelId: v.modelId, ...(quality === undefined ? {} : { quality }) };
    });
  const embedded = new Set(clusterFaces.map((f) => f.id));
  const result = deps.cluster(clusterFaces, constraintsFromEdits(edits, embedded));

  const now = deps.clock.now();
  const people: PersonRecord[] = assignStablePersonIds(result.people, previous).map((p) => ({
    userId,
    personId: p.personId,
    ...(p.previous?.name !== undefined ? { name: p.previous.name } : {}),
    ...(p.previous?.hidden !== undefined ? { hidden: p.previous.hidden } : {}),
    faceIds: p.faceIds,
    coverFaceId: p.medoidFaceId,
    cohesion: p.cohesion,
    updatedAt: now,
  }));
  await deps.faces.replacePeople(userId, people);
  deps.logger.info('user clustered', { userId, faces: clusterFaces.length, people: people.length, unassigned: result.unassigned.length, gated: result.gated?.length ?? 0 });
  return { people, unassigned: result.unassigned, gated: result.gated ?? [], faces: clusterFaces.length };
}
