import type { Clock } from '#core/ports/clock.ts';
import type { FaceRecord, FaceStore, PersonRecord } from '#core/ports/face-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import { passesQualityGate } from '#core/quality-gate.ts';
import type { SameCalibration } from './calibration.ts';
import { withRetry } from './people-edits.ts';
import { matchToPeople, type MatchInput, type PersonMatch } from './person-match.ts';

/** Incremental assignment: right after a photo's faces are embedded, each face that is in no person
 * joins an existing person at once when the evidence is strong: calibrated P(same) to that person ≥
 * the embedder's join threshold (models/calibration.json), no other person also that likely, no
 * rejection by the user, no other face of the same photo going to (or already in) that person, and
 * a face above the quality gate (a face clustering would not take does not join either).
 * The face is provisional (listed in the person's `provisionalFaceIds`) until the next full
 * clustering run, which decides it again with everything else. The rest waits for that run. */

export interface AssignDeps {
  readonly faces: FaceStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly calibration: SameCalibration;
}

export interface AssignOutcome {
  /** face → the person it joined. */
  readonly joined: ReadonlyMap<string, string>;
  /** Candidates that stayed out (no person likely enough, or two people too alike). */
  readonly waiting: number;
}

/** Pick the joins: strongest first, one face per person per photo, unambiguous only. Shared with
 * the full clustering run, which ends by offering its loose faces to its people by the same rule. */
export function chooseJoins(
  matches: Map<string, PersonMatch[]>,
  photoOf: ReadonlyMap<string, string>,
  threshold: number,
): Map<string, string> {
  const best = [...matches.values()]
    .filter((m) => m.length > 0 && m[0]!.pSame >= threshold && (m[1]?.pSame ?? 0) < threshold)
    .map((m) => m[0]!)
    .sort((a, b) => b.pSame - a.pSame || (a.faceId < b.faceId ? -1 : 1));
  const taken = new Set<string>();
  const joins = new Map<string, string>();
  for (const m of best) {
    const slot = `${photoOf.get(m.faceId)}|${m.personId}`;
    if (taken.has(slot)) continue;
    taken.add(slot);
    joins.set(m.faceId, m.personId);
  }
  return joins;
}

async function attempt(userId: string, candidates: ReadonlySet<string>, deps: AssignDeps): Promise<AssignOutcome> {
  const [people, vectors, faceEdits, aliases] = await Promise.all([
    deps.faces.listPeople(userId),
    deps.faces.listVectors(userId, deps.calibration.modelId, deps.calibration.modelVersion),
    deps.faces.listFaceEdits(userId),
    deps.faces.listAliases(userId),
  ]);
  const inPerson = new Set(people.flatMap((p) => p.faceIds));
  const loose = new Set([...candidates].filter((f) => !inPerson.has(f)));
  if (loose.size === 0 || people.length === 0) return { joined: new Map(), waiting: loose.size };
  const matches = matchToPeople({ people, vectors, faceEdits, aliases }, loose, deps.calibration);
  const joins = chooseJoins(
    matches,
    new Map(vectors.map((v) => [v.faceId, v.photoId])),
    deps.calibration.joinThreshold,
  );
  if (joins.size === 0) return { joined: joins, waiting: loose.size };
  const now = deps.clock.now();
  const putPeople = people
    .filter((p) => [...joins.values()].includes(p.personId))
    .map((p): { person: PersonRecord; expectedVersion: number } => {
      const added = [...joins].filter(([, to]) => to === p.personId).map(([f]) => f);
      const provisional = [...new Set([...(p.provisionalFaceIds ?? []), ...added])].sort();
      return {
        person: {
          ...p,
          faceIds: [...p.faceIds, ...added].sort(),
          provisionalFaceIds: provisional,
          version: (p.version ?? 0) + 1,
          updatedAt: now,
        },
        expectedVersion: p.version ?? 0,
      };
    });
  // Version-guarded like an edit: a concurrent edit or clustering run makes this attempt start over.
  await deps.faces.commitPeopleChange(userId, { putPeople });
  return { joined: joins, waiting: loose.size - joins.size };
}

/** Assign the given faces (typically one photo's, just embedded). Faces already in a person, below
 * the quality gate, not embedded with the calibration's model, or unknown are left as they are. */
export async function assignNewFaces(
  userId: string,
  faces: readonly Pick<FaceRecord, 'faceId' | 'quality'>[],
  deps: AssignDeps,
): Promise<AssignOutcome> {
  const candidates = new Set(faces.filter((f) => passesQualityGate(f.quality)).map((f) => f.faceId));
  if (candidates.size === 0) return { joined: new Map(), waiting: 0 };
  const outcome = await withRetry(() => attempt(userId, candidates, deps));
  if (outcome.joined.size > 0)
    deps.logger.info('faces joined known people', { userId, joined: outcome.joined.size, waiting: outcome.waiting });
  return outcome;
}

/** The faces of one photo, assigned (the embed stage's step). */
export async function assignPhotoFaces(userId: string, photoId: string, deps: AssignDeps): Promise<AssignOutcome> {
  const faces = await deps.faces.listFacesOfPhoto(userId, photoId);
  return assignNewFaces(userId, faces, deps);
}

/** The last step of a full clustering run: faces it left in no person join one of its people by the
 * same rule (so a provisional join the evidence supports survives the run, and offering the same
 * faces again afterwards changes nothing). `groups` and `loose` are updated in place; faces in
 * `excluded` (rejected by the user somewhere, below the quality gate) stay loose. */
export function joinLooseFaces(
  groups: readonly { readonly personId: string; readonly faceIds: string[] }[],
  loose: Set<string>,
  input: Omit<MatchInput, 'people'> & { readonly excluded: ReadonlySet<string> },
  calibration: SameCalibration,
): number {
  const candidates = new Set([...loose].filter((f) => !input.excluded.has(f)));
  if (candidates.size === 0 || groups.length === 0) return 0;
  const matches = matchToPeople({ ...input, people: groups }, candidates, calibration);
  const joins = chooseJoins(
    matches,
    new Map(input.vectors.map((v) => [v.faceId, v.photoId])),
    calibration.joinThreshold,
  );
  const byId = new Map(groups.map((g) => [g.personId, g]));
  for (const [faceId, personId] of joins) {
    byId.get(personId)!.faceIds.push(faceId);
    loose.delete(faceId);
  }
  for (const g of groups) g.faceIds.sort();
  return joins.size;
}
