import type {
  FaceEditRecord,
  PersonAlias,
  PersonExemplars,
  PersonRecord,
  VectorRecord,
} from '#core/ports/face-store.ts';
import { dot, type SameCalibration } from './calibration.ts';
import { aliasResolver } from './replay-edits.ts';

/** Faces in no person scored against people with the calibrated P(same): the evidence behind the
 * suggestions ("is this Ann?") and behind new faces joining a known person before clustering. */

export interface PersonMatch {
  readonly faceId: string;
  readonly personId: string;
  /** Calibrated P(same person) of the face and the person (even odds). */
  readonly pSame: number;
  /** The similarity the curve read: the mean of the face's top-k similarities to the person's faces. */
  readonly similarity: number;
}

/** What matching reads of a person: its id and its faces. */
export type PersonMembers = Pick<PersonRecord, 'personId' | 'faceIds'>;

export interface MatchInput {
  readonly people: readonly PersonMembers[];
  /** Vectors of one model only (the calibration's). */
  readonly vectors: readonly VectorRecord[];
  readonly faceEdits: readonly FaceEditRecord[];
  readonly aliases: readonly PersonAlias[];
  /** Photos known to hold a face of a person besides those of its vectors here (when a person is
   * matched through exemplars, its other members' photos): person id → photo ids. */
  readonly occupiedPhotos?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Who may not receive a face: people the user rejected it from (through merges), and people with a
 * face in the same photo (one person appears once in a photo). */
function barriers(
  input: MatchInput,
): (face: VectorRecord, person: PersonMembers, photosOf: ReadonlySet<string>) => boolean {
  const canonical = aliasResolver(input.aliases);
  const rejected = new Map(input.faceEdits.map((e) => [e.faceId, new Set(e.rejectedPersonIds.map(canonical))]));
  return (face, person, photosOf) =>
    (rejected.get(face.faceId)?.has(person.personId) ?? false) ||
    photosOf.has(face.photoId) ||
    (input.occupiedPhotos?.get(person.personId)?.has(face.photoId) ?? false);
}

/** P(same) of each candidate face against each person it may join, best first per face. */
export function matchToPeople(
  input: MatchInput,
  candidateFaceIds: ReadonlySet<string>,
  calibration: SameCalibration,
): Map<string, PersonMatch[]> {
  const byFace = new Map(input.vectors.map((v) => [v.faceId, v]));
  const blocked = barriers(input);
  const members = input.people.map((p) => {
    const vectors = p.faceIds.map((f) => byFace.get(f)).filter((v): v is VectorRecord => v !== undefined);
    return { person: p, vectors, photos: new Set(vectors.map((v) => v.photoId)) };
  });
  const out = new Map<string, PersonMatch[]>();
  for (const faceId of candidateFaceIds) {
    const face = byFace.get(faceId);
    if (!face) continue;
    const matches: PersonMatch[] = [];
    for (const m of members) {
      if (m.vectors.length === 0 || blocked(face, m.person, m.photos)) continue;
      const sims = m.vectors.map((v) => dot(face.vector, v.vector));
      matches.push({
        faceId,
        personId: m.person.personId,
        pSame: calibration.person(sims),
        similarity: calibration.personSimilarity(sims),
      });
    }
    matches.sort((a, b) => b.pSame - a.pSame || (a.personId < b.personId ? -1 : 1));
    out.set(faceId, matches);
  }
  return out;
}

/** Embedded faces of the calibration's model that are in no person. */
export function looseFaceIds(people: readonly PersonMembers[], vectors: readonly VectorRecord[]): Set<string> {
  const inPerson = new Set(people.flatMap((p) => p.faceIds));
  return new Set(vectors.map((v) => v.faceId).filter((f) => !inPerson.has(f)));
}

/** Exemplars kept per person: the join rule reads the mean of a face's top-k (3) similarities to a
 * person, and 16 well-spread members keep that mean for a new face close to any part of the person
 * (bench/assign-agreement.ts measures the decisions against all members). */
export const EXEMPLARS_PER_PERSON = 16;

/** Up to `k` of the vectors: the member closest to the mean first, then repeatedly the member
 * farthest from those chosen (farthest-first traversal), so that every member has a chosen one
 * near it. All of them when there are at most `k`. Deterministic (ties by face id). */
export function chooseExemplars(vectors: readonly VectorRecord[], k = EXEMPLARS_PER_PERSON): VectorRecord[] {
  const sorted = [...vectors].sort((a, b) => (a.faceId < b.faceId ? -1 : a.faceId > b.faceId ? 1 : 0));
  if (sorted.length <= k) return sorted;
  const dim = sorted[0]!.vector.length;
  const mean = new Float32Array(dim);
  for (const v of sorted) for (let i = 0; i < dim; i++) mean[i] = mean[i]! + v.vector[i]!;
  let first = 0;
  sorted.forEach((v, j) => {
    if (dot(v.vector, mean) > dot(sorted[first]!.vector, mean)) first = j;
  });
  // nearest[j]: similarity of member j to its closest chosen exemplar.
  const nearest = sorted.map((v) => dot(v.vector, sorted[first]!.vector));
  const chosen = [first];
  while (chosen.length < k) {
    let next = -1;
    nearest.forEach((s, j) => {
      if (!chosen.includes(j) && (next < 0 || s < nearest[next]!)) next = j;
    });
    chosen.push(next);
    sorted.forEach((v, j) => (nearest[j] = Math.max(nearest[j]!, dot(v.vector, sorted[next]!.vector))));
  }
  return chosen.map((j) => sorted[j]!);
}

/** The exemplars of each group, from the vectors the clustering run read, stamped with the
 * person's version (so that a reader knows whether faces left the person since). */
export function exemplarsOfPeople(
  people: readonly (PersonMembers & Pick<PersonRecord, 'version'>)[],
  vectors: readonly VectorRecord[],
  k = EXEMPLARS_PER_PERSON,
): PersonExemplars[] {
  const byFace = new Map(vectors.map((v) => [v.faceId, v]));
  return people.map((p) => ({
    personId: p.personId,
    personVersion: p.version ?? 0,
    vectors: chooseExemplars(
      p.faceIds.map((f) => byFace.get(f)).filter((v): v is VectorRecord => v !== undefined),
      k,
    ),
  }));
}
