import type { FaceStore, PersonRecord } from '#core/ports/face-store.ts';
import { dot, type SameCalibration } from './calibration.ts';
import { PeopleEditError } from './people-edits.ts';

/** "Why is this face here?": the answer for one face, computed from the same state the clustering
 * and the edits use. Pure reads; cost O(faces of the user) (one vector read). */

export interface WhyNeighbour {
  readonly faceId: string;
  readonly personId: string | null;
  /** Cosine similarity of the two faces' vectors (same model). */
  readonly similarity: number;
  /** Calibrated P(same person) of the two faces; null without a calibration for the model. */
  readonly pSame: number | null;
}

export type UnassignedReason = 'rejected-by-user' | 'not-embedded' | 'no-close-neighbour';

export interface WhyAnswer {
  readonly faceId: string;
  readonly photoId: string;
  readonly personId: string | null;
  readonly personName: string | null;
  /** How the face got where it is. */
  readonly basis: 'confirmed-by-user' | 'clustering' | 'unassigned';
  /** Mean similarity to the person's other faces, and the calibrated probability that the face is
   * that person (from the mean of its top-k similarities to the person's faces, models/calibration.json). */
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
  /** P(same person) curves fitted for this model (#core/pipeline/calibration.ts); absent: pSame is null. */
  readonly pSame?: SameCalibration;
}

const NEAREST = 5;
const round4 = (x: number): number => Number(x.toFixed(4));

function basisOf(
  faceId: string,
  person: PersonRecord | undefined,
  confirmedPersonId: string | undefined,
): WhyAnswer['basis'] {
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
    deps.faces.listVectors(userId, deps.modelId, deps.pSame?.modelVersion),
    deps.faces.listPeople(userId),
  ]);
  const personOf = new Map(people.flatMap((p) => p.faceIds.map((f) => [f, p.personId] as const)));
  const own = vectors.find((v) => v.faceId === faceId);
  const candidates = vectors.filter(
    (v) => v.faceId !== faceId && v.photoId !== face.photoId && (!person || personOf.get(v.faceId) === person.personId),
  );
  const scored = own
    ? candidates.map((v) => ({
        faceId: v.faceId,
        personId: personOf.get(v.faceId) ?? null,
        similarity: dot(own.vector, v.vector),
      }))
    : [];
  const calibration = deps.pSame?.modelId === deps.modelId ? deps.pSame : undefined;
  scored.sort((a, b) => b.similarity - a.similarity || (a.faceId < b.faceId ? -1 : 1));
  const similarityToPerson =
    person && scored.length > 0 ? scored.reduce((s, n) => s + n.similarity, 0) / scored.length : null;
  const rejected = [...(edit?.rejectedPersonIds ?? [])];
  let unassignedReason: UnassignedReason | null = null;
  if (!person)
    unassignedReason = rejected.length > 0 ? 'rejected-by-user' : !own ? 'not-embedded' : 'no-close-neighbour';
  return {
    faceId,
    photoId: face.photoId,
    personId: person?.personId ?? null,
    personName: person?.name ?? null,
    basis: basisOf(faceId, person, edit?.confirmedPersonId),
    similarityToPerson: similarityToPerson === null ? null : Number(similarityToPerson.toFixed(4)),
    pSame:
      similarityToPerson !== null && calibration ? round4(calibration.person(scored.map((n) => n.similarity))) : null,
    nearest: scored.slice(0, NEAREST).map((n) => ({
      ...n,
      similarity: round4(n.similarity),
      pSame: calibration ? round4(calibration.face(n.similarity)) : null,
    })),
    unassignedReason,
    rejectedPersonIds: rejected,
    modelId: deps.modelId,
  };
}
