import { RankfaceError } from '#core/errors.ts';
import type { Clock } from '#core/ports/clock.ts';
import {
  EditConflictError,
  type FaceEditRecord,
  type PeopleChange,
  type PeopleStore,
  type PersonHead,
  type PersonRecord,
} from '#core/ports/face-store.ts';

/** The user's edits of people (rename, hide, merge, move, not-this-person), one implementation for
 * the CLI, the local server and the cloud API. Each edit reads what it changes, writes O(1) records
 * (person records, one face-edit record, one alias) in one atomic, version-guarded change, and
 * retries from the start when another edit got there first. The edit's effect is immediate; a later
 * clustering run replays the same state (see `replayEdits` and docs/people.md). */

export interface PeopleEditDeps {
  readonly people: PeopleStore;
  readonly clock: Clock;
  /** Called once after every successful edit (the cloud flags the user for clustering). */
  readonly onEdited?: (userId: string) => Promise<void>;
}

export type PeopleEditErrorCode = 'not-found' | 'invalid';

/** An edit refused before anything was written: an unknown id or an impossible request. */
export class PeopleEditError extends RankfaceError {
  declare readonly code: PeopleEditErrorCode;
  constructor(code: PeopleEditErrorCode, message: string) {
    super(code, message);
  }
}

export const MAX_NAME_LENGTH = 200;
const MAX_ATTEMPTS = 12;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Run an edit, re-reading and retrying it when a concurrent edit changed what it read. Jittered
 * backoff so that parallel editors of one person do not retry in lock-step. */
export async function withRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof EditConflictError) || i + 1 >= MAX_ATTEMPTS) throw err;
      await sleep(Math.random() * Math.min(200, 5 * 2 ** i));
    }
  }
}

async function personOrThrow(deps: PeopleEditDeps, userId: string, personId: string): Promise<PersonRecord> {
  const person = await deps.people.getPerson(userId, personId);
  if (!person) throw new PeopleEditError('not-found', `no person '${personId}'`);
  return person;
}

async function headOrThrow(deps: PeopleEditDeps, userId: string, personId: string): Promise<PersonHead> {
  const [head] = await deps.people.getPersonHeads(userId, [personId]);
  if (!head) throw new PeopleEditError('not-found', `no person '${personId}'`);
  return head;
}

/** A whole person's head (what the edits that return a whole person answer with). */
export function headOf(p: PersonRecord): PersonHead {
  const { faceIds, confirmedFaceIds: _c, provisionalFaceIds: _p, ...head } = p;
  return { ...head, faceCount: faceIds.length };
}

async function edited<T>(deps: PeopleEditDeps, userId: string, result: T): Promise<T> {
  await deps.onEdited?.(userId);
  return result;
}

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();
const bump = (p: Pick<PersonRecord, 'version'>): number => (p.version ?? 0) + 1;
const guard = (p: Pick<PersonRecord, 'version'>): number => p.version ?? 0;

/** A person without one face: its confirmed list and cover follow; undefined when nothing is left. */
function withoutFace(person: PersonRecord, faceId: string, now: number): PersonRecord | undefined {
  const faceIds = person.faceIds.filter((f) => f !== faceId);
  if (faceIds.length === 0) return undefined;
  return {
    ...person,
    faceIds,
    ...(person.confirmedFaceIds ? { confirmedFaceIds: person.confirmedFaceIds.filter((f) => f !== faceId) } : {}),
    coverFaceId: person.coverFaceId === faceId ? faceIds[0]! : person.coverFaceId,
    version: bump(person),
    updatedAt: now,
  };
}

/** The change that takes a face out of its person: the person shrinks, or goes when it was its only face. */
function removal(person: PersonRecord, faceId: string, now: number): PeopleChange {
  const rest = withoutFace(person, faceId, now);
  return rest
    ? { putPeople: [{ person: rest, expectedVersion: guard(person) }] }
    : { deletePeople: [{ personId: person.personId, expectedVersion: guard(person) }] };
}

/** Merge `from` into `into`: `into` keeps its id, takes `from`'s faces (all confirmed: the user said
 * they are one person), keeps its own name or else takes `from`'s; `from` leaves an alias so that
 * edits naming it follow. Writes two person records and one alias whatever the sizes. */
export async function mergePeople(
  userId: string,
  fromId: string,
  intoId: string,
  deps: PeopleEditDeps,
): Promise<PersonRecord> {
  if (fromId === intoId) throw new PeopleEditError('invalid', 'a person cannot be merged into itself');
  const merged = await withRetry(async () => {
    const [from, into] = await Promise.all([personOrThrow(deps, userId, fromId), personOrThrow(deps, userId, intoId)]);
    return commitMerge(userId, from, into, deps);
  });
  return edited(deps, userId, merged);
}

async function commitMerge(
  userId: string,
  from: PersonRecord,
  into: PersonRecord,
  deps: PeopleEditDeps,
): Promise<PersonRecord> {
  const now = deps.clock.now();
  const faceIds = union(into.faceIds, from.faceIds);
  const name = into.name ?? from.name;
  const hidden = into.hidden ?? from.hidden;
  const merged: PersonRecord = {
    ...into,
    ...(name !== undefined ? { name } : {}),
    ...(hidden !== undefined ? { hidden } : {}),
    faceIds,
    confirmedFaceIds: faceIds,
    version: bump(into),
    updatedAt: now,
  };
  await deps.people.commitPeopleChange(userId, {
    putPeople: [{ person: merged, expectedVersion: guard(into) }],
    deletePeople: [{ personId: from.personId, expectedVersion: guard(from) }],
    putAliases: [{ userId, personId: from.personId, intoPersonId: into.personId, updatedAt: now }],
  });
  return merged;
}

/** Name a person (null or '' clears the name). Naming confirms the person's faces. A name another
 * person already has merges this person into that one, as the photo apps do: names are identities.
 * Only the person's head is read and written (a person of any size costs O(1) records), unless the
 * name merges. */
export async function renamePerson(
  userId: string,
  personId: string,
  name: string | null,
  deps: PeopleEditDeps,
): Promise<PersonHead> {
  const wanted = name === null ? '' : name.trim();
  if (wanted.length > MAX_NAME_LENGTH)
    throw new PeopleEditError('invalid', `a name has at most ${MAX_NAME_LENGTH} characters`);
  const result = await withRetry(async (): Promise<PersonHead> => {
    const person = await headOrThrow(deps, userId, personId);
    if (wanted !== '') {
      const namesake = (await deps.people.listPersonHeads(userId)).find(
        (p) => p.name === wanted && p.personId !== personId,
      );
      if (namesake) {
        const [from, into] = await Promise.all([
          personOrThrow(deps, userId, personId),
          personOrThrow(deps, userId, namesake.personId),
        ]);
        return headOf(await commitMerge(userId, from, into, deps));
      }
    }
    const { name: _old, ...rest } = person;
    const next: PersonHead = {
      ...rest,
      ...(wanted !== '' ? { name: wanted } : {}),
      version: bump(person),
      updatedAt: deps.clock.now(),
    };
    await deps.people.commitPeopleChange(userId, {
      updateHeads: [{ head: next, expectedVersion: guard(person), ...(wanted !== '' ? { confirmAll: true } : {}) }],
    });
    return next;
  });
  return edited(deps, userId, result);
}

/** Hide or show a person. Hidden stays hidden through every later run (the flag is the person's).
 * Head only, like a rename. */
export async function setPersonHidden(
  userId: string,
  personId: string,
  hidden: boolean,
  deps: PeopleEditDeps,
): Promise<PersonHead> {
  const result = await withRetry(async () => {
    const person = await headOrThrow(deps, userId, personId);
    const next: PersonHead = { ...person, hidden, version: bump(person), updatedAt: deps.clock.now() };
    await deps.people.commitPeopleChange(userId, { updateHeads: [{ head: next, expectedVersion: guard(person) }] });
    return next;
  });
  return edited(deps, userId, result);
}

async function faceEditOf(deps: PeopleEditDeps, userId: string, faceId: string): Promise<FaceEditRecord | undefined> {
  const [face, edit] = await Promise.all([
    deps.people.getFace(userId, faceId),
    deps.people.getFaceEdit(userId, faceId),
  ]);
  if (!face) throw new PeopleEditError('not-found', `no face '${faceId}'`);
  return edit;
}

/** Move a face into a person: confirmed there for good, and no longer eligible for the person it
 * left. Writes the face's edit record and at most the two people involved. */
export async function moveFace(
  userId: string,
  faceId: string,
  toPersonId: string,
  deps: PeopleEditDeps,
): Promise<PersonRecord> {
  const result = await withRetry(async () => {
    const [target, previousEdit] = await Promise.all([
      personOrThrow(deps, userId, toPersonId),
      faceEditOf(deps, userId, faceId),
    ]);
    const from = await deps.people.personOfFace(userId, faceId);
    const now = deps.clock.now();
    const rejected = new Set(previousEdit?.rejectedPersonIds ?? []);
    if (from && from.personId !== target.personId) rejected.add(from.personId);
    rejected.delete(target.personId);
    const edit: FaceEditRecord = {
      userId,
      faceId,
      confirmedPersonId: target.personId,
      rejectedPersonIds: [...rejected].sort(),
      version: (previousEdit?.version ?? 0) + 1,
      updatedAt: now,
    };
    const putFaceEdits = [{ edit, expectedVersion: previousEdit?.version }];
    if (from?.personId === target.personId) {
      await deps.people.commitPeopleChange(userId, { putFaceEdits });
      return target;
    }
    const moved: PersonRecord = {
      ...target,
      faceIds: union(target.faceIds, [faceId]),
      version: bump(target),
      updatedAt: now,
    };
    const leaving = from ? removal(from, faceId, now) : {};
    await deps.people.commitPeopleChange(userId, {
      putPeople: [...(leaving.putPeople ?? []), { person: moved, expectedVersion: guard(target) }],
      ...(leaving.deletePeople ? { deletePeople: leaving.deletePeople } : {}),
      putFaceEdits,
    });
    return moved;
  });
  return edited(deps, userId, result);
}

export interface RejectOutcome {
  readonly personId: string;
  readonly faceId: string;
  /** False when the face was declined for a person it was not in (a suggestion): it stays where it is. */
  readonly removed: boolean;
}

/** "Not this person": the face leaves its person (unassigned until clustering finds it another one)
 * and never returns to it, nor to whatever that person is merged into later. With `personId` of a
 * person the face is not in (a suggestion answered "no"), only the rejection is recorded. */
export async function rejectFace(
  userId: string,
  faceId: string,
  deps: PeopleEditDeps,
  personId?: string,
): Promise<RejectOutcome> {
  const result = await withRetry(async () => {
    const previousEdit = await faceEditOf(deps, userId, faceId);
    const from = await deps.people.personOfFace(userId, faceId);
    const declined = personId !== undefined && from?.personId !== personId;
    if (declined && !(await deps.people.getPerson(userId, personId)))
      throw new PeopleEditError('not-found', `no person '${personId}'`);
    if (!from && !declined) throw new PeopleEditError('not-found', `face '${faceId}' is not in a person`);
    const rejectedId = declined ? personId : from!.personId;
    const now = deps.clock.now();
    const { confirmedPersonId, ...rest } = previousEdit ?? { userId, faceId, rejectedPersonIds: [], updatedAt: now };
    const edit: FaceEditRecord = {
      ...rest,
      ...(confirmedPersonId !== undefined && confirmedPersonId !== rejectedId ? { confirmedPersonId } : {}),
      rejectedPersonIds: union(rest.rejectedPersonIds, [rejectedId]),
      version: (previousEdit?.version ?? 0) + 1,
      updatedAt: now,
    };
    const putFaceEdits = [{ edit, expectedVersion: previousEdit?.version }];
    await deps.people.commitPeopleChange(
      userId,
      declined ? { putFaceEdits } : { ...removal(from!, faceId, now), putFaceEdits },
    );
    return { personId: rejectedId, faceId, removed: !declined };
  });
  return edited(deps, userId, result);
}
