import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { PersonHead, PersonRecord } from '#core/ports/face-store.ts';

/** Person items of the DynamoDB store (docs/data-model.md): a bounded head per person and one small
 * membership item per member face, in two families so that both directions are key reads:
 * `PMEM#<personId>#<faceId>` (a person's faces, by Query, in face id order) and `FMEM#<faceId>`
 * (a face's person, by GetItem). No item grows with the person.
 *
 * Confirmed faces: naming or merging a person confirms every face it has at that moment, which can
 * be tens of thousands. Instead of rewriting each membership, the head records the version at
 * which that happened (`confirmedThrough`) and each membership the version of the write that made
 * it (`since`): a member is confirmed when its item says so, or when it was there by then
 * (`since <= confirmedThrough`). Faces that join later (the assignment, a move) are written with a
 * larger `since`, so they are not confirmed by an earlier naming. Versions only grow while a person
 * exists, and its memberships go with it. */

export type Item = Record<string, AttributeValue>;

const S = (v: string): AttributeValue => ({ S: v });
const N = (v: number): AttributeValue => ({ N: String(v) });

export const personSk = (personId: string): string => `PERSON#${personId}`;
export const memberSk = (personId: string, faceId: string): string => `PMEM#${personId}#${faceId}`;
export const memberPrefix = (personId: string): string => `PMEM#${personId}#`;
export const faceMemberSk = (faceId: string): string => `FMEM#${faceId}`;

/** What a membership item says about its face. */
export interface MemberState {
  readonly faceId: string;
  readonly personId: string;
  /** Version of the person in the write that made this item. */
  readonly since: number;
  /** Confirmed on its own (not through the head's confirmedThrough). */
  readonly confirmed: boolean;
  readonly provisional: boolean;
}

/** The head as stored, with the store-only confirmation mark. */
export interface StoredHead extends PersonHead {
  readonly confirmedThrough?: number;
}

export function headItem(pk: string, h: StoredHead): Item {
  return {
    PK: S(pk),
    SK: S(personSk(h.personId)),
    type: S('person'),
    userId: S(h.userId),
    personId: S(h.personId),
    ...(h.name !== undefined ? { name: S(h.name) } : {}),
    ...(h.hidden !== undefined ? { hidden: { BOOL: h.hidden } } : {}),
    faceCount: N(h.faceCount),
    coverFaceId: S(h.coverFaceId),
    cohesion: N(h.cohesion),
    updatedAt: N(h.updatedAt),
    version: N(h.version ?? 0),
    ...(h.confirmedThrough !== undefined ? { confirmedThrough: N(h.confirmedThrough) } : {}),
    ...(h.removedAtVersion !== undefined ? { removedAtVersion: N(h.removedAtVersion) } : {}),
  };
}

const text = (i: Item, name: string): string => {
  const v = i[name]?.S;
  if (v === undefined) throw new Error(`item ${i.PK?.S}/${i.SK?.S} lacks string attribute ${name}`);
  return v;
};
const optNum = (i: Item, name: string): number | undefined =>
  i[name]?.N !== undefined ? Number(i[name].N) : undefined;

export function headFromItem(i: Item): StoredHead {
  const version = optNum(i, 'version') ?? 0;
  const confirmedThrough = optNum(i, 'confirmedThrough');
  const removedAtVersion = optNum(i, 'removedAtVersion');
  return {
    userId: text(i, 'userId'),
    personId: text(i, 'personId'),
    ...(i.name?.S !== undefined ? { name: i.name.S } : {}),
    ...(i.hidden?.BOOL !== undefined ? { hidden: i.hidden.BOOL } : {}),
    faceCount: optNum(i, 'faceCount') ?? 0,
    coverFaceId: text(i, 'coverFaceId'),
    cohesion: optNum(i, 'cohesion') ?? 0,
    updatedAt: optNum(i, 'updatedAt') ?? 0,
    // Version 0 is "never edited": left out, so a record round-trips as written.
    ...(version !== 0 ? { version } : {}),
    ...(confirmedThrough !== undefined ? { confirmedThrough } : {}),
    ...(removedAtVersion !== undefined ? { removedAtVersion } : {}),
  };
}

/** The head without the store-only mark (what the port returns). */
export function publicHead(h: StoredHead): PersonHead {
  const { confirmedThrough: _c, ...head } = h;
  return head;
}

/** The two items of one membership: the person's side and the face's side, same content. */
export function memberItems(pk: string, m: MemberState): [Item, Item] {
  const body: Item = {
    PK: S(pk),
    faceId: S(m.faceId),
    personId: S(m.personId),
    since: N(m.since),
    ...(m.confirmed ? { confirmed: { BOOL: true } } : {}),
    ...(m.provisional ? { provisional: { BOOL: true } } : {}),
  };
  return [
    { ...body, SK: S(memberSk(m.personId, m.faceId)), type: S('member') },
    { ...body, SK: S(faceMemberSk(m.faceId)), type: S('face-member') },
  ];
}

export function memberFromItem(i: Item): MemberState {
  return {
    faceId: text(i, 'faceId'),
    personId: text(i, 'personId'),
    since: optNum(i, 'since') ?? 0,
    confirmed: i.confirmed?.BOOL === true,
    provisional: i.provisional?.BOOL === true,
  };
}

const sameMember = (a: MemberState, b: MemberState): boolean =>
  a.personId === b.personId && a.since === b.since && a.confirmed === b.confirmed && a.provisional === b.provisional;

/** Whether a member counts as confirmed under a head. */
export const isConfirmed = (m: MemberState, head: Pick<StoredHead, 'confirmedThrough'>): boolean =>
  m.confirmed || (head.confirmedThrough !== undefined && m.since <= head.confirmedThrough);

/** A whole person, from its head and its members (in store order). */
export function personFromParts(head: StoredHead, members: readonly MemberState[]): PersonRecord {
  const { faceCount: _n, removedAtVersion: _r, confirmedThrough: _c, ...rest } = head;
  const confirmed = members.filter((m) => isConfirmed(m, head)).map((m) => m.faceId);
  const provisional = members.filter((m) => m.provisional).map((m) => m.faceId);
  return {
    ...rest,
    faceIds: members.map((m) => m.faceId),
    ...(confirmed.length > 0 ? { confirmedFaceIds: confirmed } : {}),
    ...(provisional.length > 0 ? { provisionalFaceIds: provisional } : {}),
  };
}

/** The writes that make the stored person (head + members under its id) what `p` says: the new
 * head, and the memberships to put (both sides) or drop. Memberships that already say the right
 * thing are not written, so a clustering run that keeps most people as they were writes little. */
export interface PersonWrite {
  readonly head: StoredHead;
  /** Membership states to write (both items each). */
  readonly put: MemberState[];
  /** Members stored under this person that leave it. */
  readonly gone: MemberState[];
}

export function planPersonWrite(
  p: PersonRecord,
  stored: StoredHead | undefined,
  storedMembers: ReadonlyMap<string, MemberState>,
): PersonWrite {
  const v = p.version ?? 0;
  const members = new Set(p.faceIds);
  const confirmed = new Set(p.confirmedFaceIds ?? []);
  const provisional = new Set(p.provisionalFaceIds ?? []);
  const allConfirmed = p.faceIds.length > 0 && p.faceIds.every((f) => confirmed.has(f));
  const gone = [...storedMembers.values()].filter((m) => !members.has(m.faceId));
  const confirmedThrough = allConfirmed ? v : stored?.confirmedThrough;
  const removedAtVersion = gone.length > 0 ? v : stored?.removedAtVersion;
  const head: StoredHead = {
    userId: p.userId,
    personId: p.personId,
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.hidden !== undefined ? { hidden: p.hidden } : {}),
    faceCount: members.size,
    coverFaceId: p.coverFaceId,
    cohesion: p.cohesion,
    updatedAt: p.updatedAt,
    ...(v !== 0 ? { version: v } : {}),
    ...(confirmedThrough !== undefined ? { confirmedThrough } : {}),
    ...(removedAtVersion !== undefined ? { removedAtVersion } : {}),
  };
  // A membership written now: `since` above every earlier confirmation unless it is confirmed.
  const fresh = Math.max(v, confirmedThrough === undefined ? 0 : confirmedThrough + 1);
  const put: MemberState[] = [];
  for (const faceId of members) {
    const want = { confirmed: confirmed.has(faceId), provisional: provisional.has(faceId) };
    const have = storedMembers.get(faceId);
    if (have && isConfirmed(have, head) === want.confirmed && have.provisional === want.provisional) continue;
    const since = want.confirmed && allConfirmed ? v : fresh;
    const next: MemberState = {
      faceId,
      personId: p.personId,
      since,
      confirmed: want.confirmed && !(confirmedThrough !== undefined && since <= confirmedThrough),
      provisional: want.provisional,
    };
    if (!have || !sameMember(have, next)) put.push(next);
  }
  return { head, put, gone };
}

/** Whether two stored heads say the same (a run that keeps a person writes no head). */
export const sameHead = (a: StoredHead, b: StoredHead): boolean =>
  JSON.stringify(headItem('', a)) === JSON.stringify(headItem('', b));
