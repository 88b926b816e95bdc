import type { FaceStore } from '#core/ports/face-store.ts';
import type { SameCalibration } from './calibration.ts';
import { PeopleEditError } from './people-edits.ts';
import { looseFaceIds, matchToPeople, type PersonMatch } from './person-match.ts';

/** "Is this Ann?": faces in no person that are likely to be this person, with their calibrated
 * P(same), best first. A face the user rejected from the person (or from one merged into it) and a
 * face in a photo where the person already is are never suggested. Reads only. */

export interface SuggestDeps {
  readonly faces: FaceStore;
  readonly calibration: SameCalibration;
}

/** Below this P(same) a face is not worth asking about. */
export const SUGGEST_MIN_P_SAME = 0.5;
export const SUGGEST_LIMIT = 50;

export async function suggestFaces(userId: string, personId: string, deps: SuggestDeps): Promise<PersonMatch[]> {
  const person = await deps.faces.getPerson(userId, personId);
  if (!person) throw new PeopleEditError('not-found', `no person '${personId}'`);
  const [people, vectors, faceEdits, aliases] = await Promise.all([
    deps.faces.listPeople(userId),
    deps.faces.listVectors(userId, deps.calibration.modelId, deps.calibration.modelVersion),
    deps.faces.listFaceEdits(userId),
    deps.faces.listAliases(userId),
  ]);
  const matches = matchToPeople(
    { people: [person], vectors, faceEdits, aliases },
    looseFaceIds(people, vectors),
    deps.calibration,
  );
  return [...matches.values()]
    .flatMap((m) => m.filter((x) => x.pSame >= SUGGEST_MIN_P_SAME))
    .sort((a, b) => b.pSame - a.pSame || (a.faceId < b.faceId ? -1 : 1))
    .slice(0, SUGGEST_LIMIT);
}
