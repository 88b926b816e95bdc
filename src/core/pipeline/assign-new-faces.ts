import type { Clock } from '#core/ports/clock.ts';
import type { FaceRecord, FaceStore, PersonExemplars, PersonRecord, VectorRecord } from '#core/ports/face-store.ts';
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

/** What one attempt decides on: the user's people, the candidates in none of them, and the
 * evidence to match those against the people. */
interface AssignRead {
  readonly people: PersonRecord[];
  readonly loose: Set<string>;
  readonly input: MatchInput;
}

/** The exact read: every vector of the calibration's model (the local store's path, and any store
 * without exemplars). O(faces of the user) per call. */
async function readEverything(userId: string, candidates: ReadonlySet<string>, deps: AssignDeps): Promise<AssignRead> {
  const [people, vectors, faceEdits, aliases] = await Promise.all([
    deps.faces.listPeople(userId),
    deps.faces.listVectors(userId, deps.calibration.modelId, deps.calibration.modelVersion),
    deps.faces.listFaceEdits(userId),
    deps.faces.listAliases(userId),
  ]);
  const inPerson = new Set(people.flatMap((p) => p.faceIds));
  const loose = new Set([...candidates].filter((f) => !inPerson.has(f)));
  return { people, loose, input: { people, vectors, faceEdits, aliases } };
}

/** The bounded read (stores with exemplars: the cloud): people, their exemplars (≤ 16 vectors each,
 * written by the clustering run), the candidates' own vectors and edits, and the faces of the
 * candidates' photos, instead of every vector and edit of the user. A person without usable
 * exemplars (made or changed by an edit since the run) is matched on all its members' vectors,
 * read by key. */
async function readExemplars(
  userId: string,
  candidates: ReadonlySet<string>,
  deps: AssignDeps,
  store: Required<Pick<FaceStore, 'getVectors' | 'listExemplars'>>,
): Promise<AssignRead> {
  const { modelId, modelVersion } = deps.calibration;
  const [people, exemplars, aliases] = await Promise.all([
    deps.faces.listPeople(userId),
    store.listExemplars(userId, modelId),
    deps.faces.listAliases(userId),
  ]);
  const inPerson = new Set(people.flatMap((p) => p.faceIds));
  const loose = new Set([...candidates].filter((f) => !inPerson.has(f)));
  const empty: MatchInput = { people: [], vectors: [], faceEdits: [], aliases };
  if (loose.size === 0 || people.length === 0) return { people, loose, input: empty };
  const usable = usableExemplars(people, exemplars, modelVersion);
  const unsummarised = people.filter((p) => !usable.has(p.personId)).flatMap((p) => p.faceIds);
  const [own, members, edits] = await Promise.all([
    store.getVectors(userId, modelId, [...loose], modelVersion),
    unsummarised.length > 0 ? store.getVectors(userId, modelId, unsummarised, modelVersion) : [],
    Promise.all([...loose].map((f) => deps.faces.getFaceEdit(userId, f))),
  ]);
  const photos = [...new Set(own.map((v) => v.photoId))];
  const photoFaces = await Promise.all(photos.map((ph) => deps.faces.listFacesOfPhoto(userId, ph)));
  const photoOfFace = new Map(photoFaces.flat().map((f) => [f.faceId, f.photoId]));
  const occupiedPhotos = new Map(
    people.map((p) => [p.personId, new Set(p.faceIds.flatMap((f) => photoOfFace.get(f) ?? []))]),
  );
  const matchPeople = people.map((p) => {
    const ex = usable.get(p.personId);
    return ex ? { personId: p.personId, faceIds: ex.map((v) => v.faceId) } : p;
  });
  const vectors = [...own, ...members, ...[...usable.values()].flat()];
  const faceEdits = edits.filter((e): e is NonNullable<typeof e> => e !== undefined);
  return { people, loose, input: { people: matchPeople, vectors, faceEdits, aliases, occupiedPhotos } };
}

/** Each person's exemplars that are still its members and of the calibration's model version. */
function usableExemplars(
  people: readonly PersonRecord[],
  exemplars: readonly PersonExemplars[],
  modelVersion: string | undefined,
): Map<string, VectorRecord[]> {
  const members = new Map(people.map((p) => [p.personId, new Set(p.faceIds)]));
  const out = new Map<string, VectorRecord[]>();
  for (const e of exemplars) {
    const current = members.get(e.personId);
    const kept = e.vectors.filter(
      (v) => current?.has(v.faceId) && (modelVersion === undefined || v.modelVersion === modelVersion),
    );
    if (kept.length > 0) out.set(e.personId, kept);
  }
  return out;
}

async function attempt(userId: string, candidates: ReadonlySet<string>, deps: AssignDeps): Promise<AssignOutcome> {
  const { getVectors, listExemplars } = deps.faces;
  const { people, loose, input } =
    getVectors && listExemplars
      ? await readExemplars(userId, candidates, deps, {
          getVectors: getVectors.bind(deps.faces),
          listExemplars: listExemplars.bind(deps.faces),
        })
      : await readEverything(userId, candidates, deps);
  if (loose.size === 0 || people.length === 0) return { joined: new Map(), waiting: loose.size };
  const matches = matchToPeople(input, loose, deps.calibration);
  const joins = chooseJoins(
    matches,
    new Map(input.vectors.map((v) => [v.faceId, v.photoId])),
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
