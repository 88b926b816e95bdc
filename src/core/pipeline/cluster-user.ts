import type { ClusterFace } from '#core/cluster/types.ts';
import type { PersonRecord } from '#core/ports/face-store.ts';
import { joinLooseFaces } from './assign-new-faces.ts';
import { exemplarsOfPeople } from './person-match.ts';
import type { SameCalibration } from './calibration.ts';
import { churnOf, type ChurnReport } from './churn.ts';
import { constraintsFromEdits } from './constraints.ts';
import type { Clusterer, StoreDeps } from './deps.ts';
import { placeConfirmed, planReplay, type PlacedPerson, type ReplayPlan } from './replay-edits.ts';
import { assignStablePersonIds } from './stable-ids.ts';

export interface ClusterUserDeps extends Pick<StoreDeps, 'faces' | 'clock' | 'logger'> {
  readonly cluster: Clusterer;
  /** Only vectors of this model are clustered: vectors of different models are never compared. */
  readonly modelId: string;
  /** And of this exact version (content hash; #config/embedder.ts). Absent: the calibration's, else
   * any version of `modelId`. */
  readonly modelVersion?: string | undefined;
  /** P(same) curves of that model: with them, faces the run leaves in no person join one when the
   * evidence is strong (the incremental-assignment rule, assign-new-faces.ts). */
  readonly calibration?: SameCalibration | undefined;
}

export interface ClusterUserOutcome {
  readonly people: PersonRecord[];
  readonly unassigned: string[];
  /** Faces below the quality gate: not clustered. */
  readonly gated: string[];
  readonly faces: number;
  /** What this run changed (docs/people.md): confirmed_changed is 0 by construction. */
  readonly churn: ChurnReport;
  /** Faces clustering left loose that joined a person by the calibrated rule. */
  readonly joinedByEvidence: number;
  /** Faces kept in their person without a vector of the active model (a model upgrade under way). */
  readonly awaitingEmbedding: number;
}

/** An edit must never cost the user a person: a person the user touched (named, confirmed, edited)
 * whose faces all fell out of every person keeps them (those not rejected from it). */
function keepEditedPeople(
  groups: PlacedPerson[],
  previous: readonly PersonRecord[],
  plan: ReplayPlan,
  loose: Set<string>,
): void {
  const present = new Set(groups.map((g) => g.personId));
  for (const p of previous) {
    const edited = (p.version ?? 0) > 0 || p.name !== undefined || (p.confirmedFaceIds?.length ?? 0) > 0;
    if (!edited || present.has(p.personId)) continue;
    const faceIds = p.faceIds.filter((f) => loose.has(f) && !(plan.rejected.get(f)?.has(p.personId) ?? false)).sort();
    if (faceIds.length === 0) continue;
    for (const f of faceIds) loose.delete(f);
    groups.push({
      personId: p.personId,
      faceIds,
      medoidFaceId: faceIds.includes(p.coverFaceId) ? p.coverFaceId : faceIds[0]!,
      cohesion: p.cohesion,
    });
  }
}

/** A model upgrade in progress (migrate-embedder.ts): a face with no vector of the active model yet
 * cannot be clustered, and it is not dropped either: it stays in the person it was in (or comes
 * back to it, under the same id) until it is embedded again. So a run between the switch and the
 * end of the re-embedding never costs the user a face, a name or a person. */
function keepUnembeddedFaces(
  groups: PlacedPerson[],
  previous: readonly PersonRecord[],
  known: ReadonlySet<string>,
  embedded: ReadonlySet<string>,
): number {
  const placed = new Set(groups.flatMap((g) => g.faceIds));
  const byId = new Map(groups.map((g) => [g.personId, g]));
  let kept = 0;
  for (const p of previous) {
    const waiting = p.faceIds.filter((f) => known.has(f) && !embedded.has(f) && !placed.has(f));
    if (waiting.length === 0) continue;
    kept += waiting.length;
    const group = byId.get(p.personId);
    if (group) group.faceIds.push(...waiting);
    else
      groups.push({
        personId: p.personId,
        faceIds: waiting,
        medoidFaceId: waiting.includes(p.coverFaceId) ? p.coverFaceId : waiting[0]!,
        cohesion: p.cohesion,
      });
  }
  return kept;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === (b ?? [])[i]);

/** What a clustering run decides about a person, compared field by field. */
function samePerson(prev: PersonRecord, next: Omit<PersonRecord, 'updatedAt' | 'version'>): boolean {
  return (
    sameList([...prev.faceIds].sort(), next.faceIds) &&
    prev.coverFaceId === next.coverFaceId &&
    prev.cohesion === next.cohesion &&
    sameList(prev.confirmedFaceIds, next.confirmedFaceIds) &&
    prev.name === next.name &&
    prev.hidden === next.hidden
  );
}

/** The faces to cluster: those with a record and a vector, in id order, with their quality score so
 * that the clusterer's quality gate applies (issue 14). */
function clusterFacesOf(
  vectors: Awaited<ReturnType<ClusterUserDeps['faces']['listVectors']>>,
  faceRecords: Awaited<ReturnType<ClusterUserDeps['faces']['listFaces']>>,
): ClusterFace[] {
  const known = new Set(faceRecords.map((f) => f.faceId));
  const qualityOf = new Map(faceRecords.map((f) => [f.faceId, f.quality?.score]));
  return vectors
    .filter((v) => known.has(v.faceId))
    .sort((a, b) => (a.faceId < b.faceId ? -1 : a.faceId > b.faceId ? 1 : 0))
    .map((v) => {
      const quality = qualityOf.get(v.faceId);
      return {
        id: v.faceId,
        photoId: v.photoId,
        vector: v.vector,
        modelId: v.modelId,
        ...(quality === undefined ? {} : { quality }),
      };
    });
}

/** The clustered groups as person records, keeping the previous people's names, hidden flags,
 * confirmed faces and versions. */
function personRecordsOf(
  userId: string,
  groups: readonly { personId: string; faceIds: readonly string[]; medoidFaceId: string; cohesion: number }[],
  previous: readonly PersonRecord[],
  now: number,
): PersonRecord[] {
  const previousById = new Map(previous.map((p) => [p.personId, p]));
  return groups.map((g) => {
    const prev = previousById.get(g.personId);
    const members = new Set(g.faceIds);
    const confirmedFaceIds = prev?.confirmedFaceIds?.filter((f) => members.has(f));
    const next = {
      userId,
      personId: g.personId,
      ...(prev?.name !== undefined ? { name: prev.name } : {}),
      ...(prev?.hidden !== undefined ? { hidden: prev.hidden } : {}),
      faceIds: [...g.faceIds].sort(),
      coverFaceId: g.medoidFaceId,
      cohesion: g.cohesion,
      ...(confirmedFaceIds && confirmedFaceIds.length > 0 ? { confirmedFaceIds } : {}),
    };
    // A run that leaves a person as it was writes it back as it was (same version and time: a
    // redelivered photo changes nothing). A run that changes it is a write like an edit: the version
    // moves, so an edit that read the person before retries on the new one. New people start at 0.
    if (prev && samePerson(prev, next))
      return { ...next, updatedAt: prev.updatedAt, ...(prev.version !== undefined ? { version: prev.version } : {}) };
    return { ...next, updatedAt: now, ...(prev ? { version: (prev.version ?? 0) + 1 } : {}) };
  });
}

/** Re-cluster one user's faces into people: their vectors, with the user's edits replayed (confirmed
 * faces stay, rejected faces stay out, named people never merge), keeping person ids, names and
 * hidden flags of the people that persist. Same input, same output. */
export async function clusterUser(userId: string, deps: ClusterUserDeps): Promise<ClusterUserOutcome> {
  const [vectors, faceRecords, edits, previous, faceEdits, aliases] = await Promise.all([
    deps.faces.listVectors(userId, deps.modelId, deps.modelVersion ?? deps.calibration?.modelVersion),
    deps.faces.listFaces(userId),
    deps.faces.listEdits(userId),
    deps.faces.listPeople(userId),
    deps.faces.listFaceEdits(userId),
    deps.faces.listAliases(userId),
  ]);
  const known = new Set(faceRecords.map((f) => f.faceId));
  const clusterFaces = clusterFacesOf(vectors, faceRecords);
  const embedded = new Set(clusterFaces.map((f) => f.id));
  const plan = planReplay({ previous, faceEdits, aliases }, embedded);
  const legacy = constraintsFromEdits(edits, embedded);
  // Faces the user took out of a person ("not this person", or moved away) are not clustered: with a
  // cannot-link to that person's faces, such a face could pull some of them into a cluster of its
  // own and split the person it was rejected from. They wait as unassigned (or in the person they
  // were confirmed in, placed below) until the user puts them somewhere.
  const rejectedFaces = new Set(plan.rejected.keys());
  const clustered = clusterFaces.filter((f) => !rejectedFaces.has(f.id));
  const both = ([a, b]: readonly [string, string]): boolean => !rejectedFaces.has(a) && !rejectedFaces.has(b);
  const result = deps.cluster(clustered, {
    mustLink: [...(legacy.mustLink ?? []), ...(plan.constraints.mustLink ?? [])].filter(both),
    cannotLink: [...(legacy.cannotLink ?? []), ...(plan.constraints.cannotLink ?? [])].filter(both),
  });
  // Ids by overlap with the previous people (confirmed faces count: new photos of a named person
  // join it), then every confirmed face placed in its person and every rejected face taken out.
  const identified = assignStablePersonIds(result.people, previous).map((p) => ({
    personId: p.personId,
    faceIds: p.faceIds,
    medoidFaceId: p.medoidFaceId,
    cohesion: p.cohesion,
  }));
  const placed = placeConfirmed(
    identified,
    [...result.unassigned, ...[...rejectedFaces].filter((f) => embedded.has(f))],
    plan,
  );
  const loose = new Set(placed.unassigned);
  const groups = placed.people;
  keepEditedPeople(groups, previous, plan, loose);
  const awaitingEmbedding = keepUnembeddedFaces(groups, previous, known, embedded);
  const excluded = new Set([...rejectedFaces, ...(result.gated ?? [])]);
  const joinedByEvidence = deps.calibration
    ? joinLooseFaces(groups, loose, { vectors, faceEdits, aliases, excluded }, deps.calibration)
    : 0;

  const now = deps.clock.now();
  const people = personRecordsOf(userId, groups, previous, now);
  people.sort((a, b) => b.faceIds.length - a.faceIds.length || (a.personId < b.personId ? -1 : 1));
  await deps.faces.replacePeople(userId, people);
  // Stores that keep exemplars (the cloud) get each person's, for the next photos' assignment.
  await deps.faces.replaceExemplars?.(userId, deps.modelId, exemplarsOfPeople(people, vectors));
  const churn = churnOf(previous, people, new Set(plan.confirmed.keys()), embedded);
  // A face the user confirmed is in its person even below the quality gate (the user's word wins).
  const gated = (result.gated ?? []).filter((f) => !plan.confirmed.has(f));
  deps.logger.info('user clustered', {
    userId,
    faces: clusterFaces.length,
    people: people.length,
    unassigned: loose.size,
    gated: gated.length,
    awaitingEmbedding,
    churn,
  });
  return {
    people,
    unassigned: [...loose].sort(),
    gated,
    faces: clusterFaces.length,
    churn,
    joinedByEvidence,
    awaitingEmbedding,
  };
}
