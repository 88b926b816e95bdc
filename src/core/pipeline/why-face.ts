import type { FaceStore, PersonRecord } from '#core/ports/face-store.ts';
import { PeopleEditError } from './people-edits.ts';

/** "Why is this face here?": the answer for one face, computed from the same state the clustering
 * and the edits use. Pure reads; cost O(faces of the user) (one vector read). */

export interface WhyNeighbour {
  readonly faceId: string;
  readonly personId: string | null;
  /** Cosine similarity of the two faces' vectors (same model). */
  readonly similarity: number;
}

export type UnassignedReason = 'rejected-by-user' | 'not-embedded' | 'no-close-neighbour';

export interface WhyAnswer {
  readonly faceId: string;
  readonly photoId: string;
  readonly personId: string | null;
  readonly personName: string | null;
  /** How the face got where it is. */
  readonly basis: 'confirmed-by-user' | 'clustering' | 'unassigned';
  /** Mean similarity to the person's other faces, and its calibrated probability of being the same person. */
  readonly similarityToPerson: number | null;
  readonly pSame: number | null;
  /** The closest faces of its person (or, when unassigned, of anyone), best first. */
  readonly nearest: WhyNeighbour[];
  readonly unassignedReason: UnassignedReason | null;
  /** People the user said this face is not. */
  readonly rejectedPersonIds: string[];
  readonly modelId: string;
}

export interface WhyDeps {
  readonly faces: FaceStore;
  /** Only vectors of this model are compared. */
  readonly modelId: string;
  /** Similarity → P(same person), fitted per embedder (see calibration); absent: pSame is null. */
  readonly pSame?: (similarity: number) => number;
}

const NEAREST = 5;

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function basisOf(faceId: string, person: PersonRecord | undefined, confirmedPersonId: string | undefined): WhyAnswer['basis'] {
  if (!person) return 'unassigned';
  if (confirmedPersonId === person.personId || person.confirmedFaceIds?.includes(faceId)) return 'confirmed-by-user';
  return 'clustering';
}

export async function explainFace(userId: string, faceId: string, deps: WhyDeps): Promise<WhyAnswer> {
  const face = await deps.faces.getFace(userId, faceId);
  if (!face) throw new PeopleEditError('not-found', `no face '${faceId}'`);
  const [person, edit, vectors, people] = await Promise.all([
    deps.faces.personOfFace(userId, faceId),
    deps.faces.getFaceEdit(userId, faceId),
    deps.faces.listVectors(userId, deps.modelId),
    deps.faces.listPeople(userId),
  ]);
  const personOf = new Map(people.flatMap((p) => p.faceIds.map((f) => [f, p.personId] as const)));
  const own = vectors.find((v) => v.faceId === faceId);
  const candidates = vectors.filter((v) => v.faceId !== faceId && v.photoId !== face.photoId && (!person || personOf.get(v.faceId) === person.personId));
  const scored = own ? candidates.map((v) => ({ faceId: v.faceId, personId: personOf.get(v.faceId) ?? null, similarity: dot(own.vector, v.vector) })) : [];
  scored.sort((a, b) => b.similarity - a.similarity || (a.faceId < b.faceId ? -1 : 1));
  const similarityToPerson = person && scored.length > 0 ? scored.reduce((s, n) => s + n.similarity, 0) / scored.length : null;
  const rejected = [...(edit?.rejectedPersonIds ?? [])];
  let unassignedReason: UnassignedReason | null = null;
  if (!person) unassignedReason = rejected.length > 0 ? 'rejected-by-user' : !own ? 'not-embedded' : 'no-close-neighbour';
  return {
    faceId,
    photoId: face.photoId,
    personId: person?.personId ?? null,
    personName: person?.name ?? null,
    basis: basisOf(faceId, person, edit?.confirmedPersonId),
    similarityToPerson: similarityToPerson === null ? null : Number(similarityToPerson.toFixed(4)),
    pSame: similarityToPerson !== null && deps.pSame ? Number(deps.pSame(similarityToPerson).toFixed(4)) : null,
    nearest: scored.slice(0, NEAREST).map((n) => ({ ...n, similarity: Number(n.similarity.toFixed(4)) })),
    unassignedReason,
    rejectedPersonIds: rejected,
    modelId: deps.modelId,
  };
}
