import type { Clock } from '#core/ports/clock.ts';
import type { FaceRecord, FaceStore, PersonAlias, PersonExemplars, VectorRecord } from '#core/ports/face-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import { passesQualityGate } from '#core/quality-gate.ts';
import type { SameCalibration } from './calibration.ts';
import { withRetry } from './people-edits.ts';
import { matchToPeople, type MatchInput, type PersonMatch } from './person-match.ts';
import { aliasResolver } from './replay-edits.ts';

/** Incremental assignment: right after a photo's faces are embedded, each face that is in no person
 * joins an existing person at once when the evidence is strong: calibrated P(same) to that person ≥
 * the embedder's join threshold (models/calibration.json), no other person also that likely, no
 * rejection by the user, no other face of the same photo going to (or already in) that person, and
 * a face above the quality gate (a face clustering would not take does not join either).
 * The face is provisional (its membership says so: `provisionalFaceIds`) until the next full
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

/** What one attempt decides on: the candidates in no person, the evidence to match them against
 * the people, and the version of each person a join may be guarded on. */
interface AssignRead {
  readonly loose: Set<string>;
  readonly input: MatchInput;
  /** Person id → version, for the people the joins may go to. */
  readonly versions: ReadonlyMap<string, number>;
}

/** The exact read: every person and every vector of the calibration's model (the local store's
 * path, and any store without exemplars). O(faces of the user) per call. */
async function readEverything(userId: string, candidates: ReadonlySet<string>, deps: AssignDeps): Promise<AssignRead> {
  const [people, vectors, faceEdits, aliases] = await Promise.all([
    deps.faces.listPeople(userId),
    deps.faces.listVectors(userId, deps.calibration.modelId, deps.calibration.modelVersion),
    deps.faces.listFaceEdits(userId),
    deps.faces.listAliases(userId),
  ]);
  const inPerson = new Set(people.flatMap((p) => p.faceIds));
  const loose = new Set([...candidates].filter((f) => !inPerson.has(f)));
  return {
    loose,
    input: { people, vectors, faceEdits, aliases },
    versions: new Map(people.map((p) => [p.personId, p.version ?? 0])),
  };
}

/** The bounded read (stores with exemplars: the cloud), O(faces of the photo + exemplars) and never
 * O(faces of the user): the exemplars (≤ 16 vectors per person, written by the clustering run,
 * cached per container), the candidates' own vectors and edits, the faces of their photos and those
 * faces' memberships, read by key. People are matched on their exemplars; those whose score could
 * decide a join (P(same) ≥ the threshold) are then checked by key: their head (gone, merged, or
 * faces taken out since the run?) and, when faces left them, which exemplars are still members. A
 * person left with no usable exemplar is matched on all its members' vectors, read by key. */
async function readExemplars(
  userId: string,
  candidates: ReadonlySet<string>,
  deps: AssignDeps,
  store: Required<Pick<FaceStore, 'getVectors' | 'listExemplars'>>,
): Promise<AssignRead> {
  const { modelId, modelVersion } = deps.calibration;
  const [exemplars, aliases, own] = await Promise.all([
    store.listExemplars(userId, modelId),
    deps.faces.listAliases(userId),
    store.getVectors(userId, modelId, [...candidates], modelVersion),
  ]);
  // No exemplars: no person to join (a new user before its first clustering run); nothing more to read.
  if (exemplars.length === 0)
    return {
      loose: new Set(candidates),
      input: { people: [], vectors: [], faceEdits: [], aliases },
      versions: new Map(),
    };
  const photos = [...new Set(own.map((v) => v.photoId))];
  const photoFaces = (await Promise.all(photos.map((ph) => deps.faces.listFacesOfPhoto(userId, ph)))).flat();
  const photoOfFace = new Map(photoFaces.map((f) => [f.faceId, f.photoId]));
  const [memberships, edits] = await Promise.all([
    deps.faces.membershipsOf(userId, [...new Set([...candidates, ...photoOfFace.keys()])]),
    Promise.all([...candidates].map((f) => deps.faces.getFaceEdit(userId, f))),
  ]);
  const inPerson = new Set(memberships.map((m) => m.faceId));
  const loose = new Set([...candidates].filter((f) => !inPerson.has(f)));
  const faceEdits = edits.filter((e): e is NonNullable<typeof e> => e !== undefined && loose.has(e.faceId));
  if (loose.size === 0) return { loose, input: { people: [], vectors: [], faceEdits, aliases }, versions: new Map() };
  const occupiedPhotos = new Map<string, Set<string>>();
  for (const m of memberships) {
    const photo = photoOfFace.get(m.faceId);
    if (photo === undefined) continue;
    if (!occupiedPhotos.has(m.personId)) occupiedPhotos.set(m.personId, new Set());
    occupiedPhotos.get(m.personId)!.add(photo);
  }
  const summaries = summariesOf(exemplars, aliases, modelVersion);
  const base = { own, faceEdits, aliases, occupiedPhotos };
  const checked = await checkDecidingPeople(userId, loose, summaries, base, deps, store);
  return {
    loose,
    input: matchInputOf(summaries, checked, base),
    versions: new Map([...checked].filter(([, v]) => v >= 0)),
  };
}

/** A person as the bounded read knows it: its exemplars (or, once checked and found stale, its
 * members' vectors), whether they can be trusted without a check, and the version they were chosen at. */
interface Summary {
  vectors: VectorRecord[];
  readonly trusted: boolean;
  readonly personVersion?: number;
}

/** Exemplars by person; those of a person merged away count for the person it went into (its
 * faces moved there), untrusted until checked. */
function summariesOf(
  exemplars: readonly PersonExemplars[],
  aliases: readonly PersonAlias[],
  modelVersion: string | undefined,
): Map<string, Summary> {
  const canonical = aliasResolver(aliases);
  const summaries = new Map<string, Summary>();
  for (const e of exemplars) {
    const id = canonical(e.personId);
    const usable = e.vectors.filter((v) => modelVersion === undefined || v.modelVersion === modelVersion);
    const merged = id !== e.personId || summaries.has(id);
    summaries.set(id, {
      vectors: [...(summaries.get(id)?.vectors ?? []), ...usable],
      trusted: !merged,
      ...(!merged && e.personVersion !== undefined ? { personVersion: e.personVersion } : {}),
    });
  }
  return summaries;
}

type MatchBase = Omit<MatchInput, 'people' | 'vectors'> & { readonly own: readonly VectorRecord[] };

/** The people to match (those found gone left out: checked version -1) and every vector read. */
function matchInputOf(
  summaries: ReadonlyMap<string, Summary>,
  checked: ReadonlyMap<string, number>,
  base: MatchBase,
): MatchInput {
  const { own, ...rest } = base;
  const live = [...summaries].filter(([id]) => (checked.get(id) ?? 0) >= 0);
  return {
    ...rest,
    people: live.map(([personId, s]) => ({ personId, faceIds: s.vectors.map((v) => v.faceId) })),
    vectors: [...own, ...live.flatMap(([, s]) => s.vectors)],
  };
}

/** Check by key every person whose score could decide a join (P(same) ≥ the threshold), until no
 * unchecked person could: its head (gone since the run?), and when faces left it since its
 * exemplars were chosen, which of them are still members; a person left with none is matched on
 * all its members. Each round checks at least one more person, so this ends; usually one round of
 * one or two people. Returns person id → version read (-1: gone). */
async function checkDecidingPeople(
  userId: string,
  loose: ReadonlySet<string>,
  summaries: Map<string, Summary>,
  base: MatchBase,
  deps: AssignDeps,
  store: Required<Pick<FaceStore, 'getVectors'>>,
): Promise<Map<string, number>> {
  const checked = new Map<string, number>();
  for (;;) {
    const matches = matchToPeople(matchInputOf(summaries, checked, base), loose, deps.calibration);
    const deciding = [
      ...new Set(
        [...matches.values()].flatMap((m) =>
          m.filter((x) => x.pSame >= deps.calibration.joinThreshold).map((x) => x.personId),
        ),
      ),
    ].filter((id) => !checked.has(id));
    if (deciding.length === 0) return checked;
    const heads = new Map((await deps.faces.getPersonHeads(userId, deciding)).map((h) => [h.personId, h]));
    for (const id of deciding) {
      const head = heads.get(id);
      checked.set(id, head ? (head.version ?? 0) : -1);
      const s = summaries.get(id)!;
      const intact =
        s.trusted &&
        (head?.removedAtVersion === undefined ||
          (s.personVersion !== undefined && head.removedAtVersion <= s.personVersion));
      if (!head || intact) continue;
      const stillIn = new Set(
        (
          await deps.faces.membershipsOf(
            userId,
            s.vectors.map((v) => v.faceId),
          )
        )
          .filter((m) => m.personId === id)
          .map((m) => m.faceId),
      );
      s.vectors = s.vectors.filter((v) => stillIn.has(v.faceId));
      if (s.vectors.length === 0) s.vectors = await memberVectors(userId, id, deps, store);
    }
  }
}

/** Every member vector of one person, its members read page by page by key: the fallback for a
 * person whose exemplars all left it since the run. O(that person). */
async function memberVectors(
  userId: string,
  personId: string,
  deps: AssignDeps,
  store: Required<Pick<FaceStore, 'getVectors'>>,
): Promise<VectorRecord[]> {
  const faceIds: string[] = [];
  let after: string | undefined;
  do {
    const page = await deps.faces.listPersonMembers(userId, personId, {
      ...(after !== undefined ? { after } : {}),
      limit: 1000,
    });
    faceIds.push(...page.members.map((m) => m.faceId));
    after = page.nextAfter;
  } while (after !== undefined);
  return store.getVectors(userId, deps.calibration.modelId, faceIds, deps.calibration.modelVersion);
}

async function attempt(userId: string, candidates: ReadonlySet<string>, deps: AssignDeps): Promise<AssignOutcome> {
  const { getVectors, listExemplars } = deps.faces;
  const { loose, input, versions } =
    getVectors && listExemplars
      ? await readExemplars(userId, candidates, deps, {
          getVectors: getVectors.bind(deps.faces),
          listExemplars: listExemplars.bind(deps.faces),
        })
      : await readEverything(userId, candidates, deps);
  if (loose.size === 0 || input.people.length === 0) return { joined: new Map(), waiting: loose.size };
  const matches = matchToPeople(input, loose, deps.calibration);
  const joins = chooseJoins(
    matches,
    new Map(input.vectors.map((v) => [v.faceId, v.photoId])),
    deps.calibration.joinThreshold,
  );
  if (joins.size === 0) return { joined: joins, waiting: loose.size };
  const now = deps.clock.now();
  const joinPeople = [...new Set(joins.values())].sort().map((personId) => ({
    personId,
    expectedVersion: versions.get(personId) ?? 0,
    faceIds: [...joins].filter(([, to]) => to === personId).map(([f]) => f),
    provisional: true,
    updatedAt: now,
  }));
  // Version-guarded like an edit, and only for faces still in no person: a concurrent edit, join
  // or clustering run makes this attempt start over. O(faces joining) writes.
  await deps.faces.commitPeopleChange(userId, { joinPeople });
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
