import type { FaceEditRecord, PersonAlias, PersonRecord, VectorRecord } from '#core/ports/face-store.ts';
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
}

/** Who may not receive a face: people the user rejected it from (through merges), and people with a
 * face in the same photo (one person appears once in a photo). */
function barriers(
  input: MatchInput,
): (face: VectorRecord, person: PersonMembers, photosOf: ReadonlySet<string>) => boolean {
  const canonical = aliasResolver(input.aliases);
  const rejected = new Map(input.faceEdits.map((e) => [e.faceId, new Set(e.rejectedPersonIds.map(canonical))]));
  return (face, person, photosOf) =>
    (rejected.get(face.faceId)?.has(person.personId) ?? false) || photosOf.has(face.photoId);
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
