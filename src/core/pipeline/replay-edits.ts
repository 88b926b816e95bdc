import type { ClusterConstraints } from '#core/cluster/types.ts';
import type { FaceEditRecord, PersonAlias, PersonRecord } from '#core/ports/face-store.ts';

/** The user's edit state (person-level: confirmed faces, rejections, aliases) replayed onto a
 * clustering run, in O(faces + edits). Precedence, from strongest (docs/people.md):
 *   1. a face moved by the user stays in the person it was moved to (or what that person merged into);
 *   2. a face confirmed in a person (named or merged) stays there, unless a later move or
 *      "not this person" on that face overrides it (the face's own record wins over its person's);
 *   3. a face never joins a person the user rejected it from (nor what that person merged into);
 *   4. people with confirmed faces never merge with each other (names are identities);
 *   5. everything else is the clustering's, with ids kept by overlap. */

export interface EditState {
  readonly previous: readonly PersonRecord[];
  readonly faceEdits: readonly FaceEditRecord[];
  readonly aliases: readonly PersonAlias[];
}

export interface ReplayPlan {
  /** Constraints to add to the clustering run. */
  readonly constraints: ClusterConstraints;
  /** face → the person it is confirmed in (canonical id). */
  readonly confirmed: ReadonlyMap<string, string>;
  /** face → people it must not be in (canonical ids). */
  readonly rejected: ReadonlyMap<string, ReadonlySet<string>>;
  /** Follow merge aliases to the person that holds an id now. */
  readonly canonical: (personId: string) => string;
}

/** Follow alias chains (A merged into B merged into C → C), guarding against cycles. */
export function aliasResolver(aliases: readonly PersonAlias[]): (personId: string) => string {
  const into = new Map(aliases.map((a) => [a.personId, a.intoPersonId]));
  return (personId) => {
    let id = personId;
    for (let hops = 0; into.has(id) && hops <= into.size; hops++) id = into.get(id)!;
    return id;
  };
}

function confirmedFaces(
  state: EditState,
  exists: ReadonlySet<string>,
  canonical: (id: string) => string,
): Map<string, string> {
  const confirmed = new Map<string, string>();
  for (const p of state.previous)
    for (const f of p.confirmedFaceIds ?? []) if (exists.has(f)) confirmed.set(f, canonical(p.personId));
  // A face's own record is the later, more specific word: it overrides its person's confirmation.
  for (const e of state.faceEdits) {
    if (!exists.has(e.faceId)) continue;
    if (e.confirmedPersonId !== undefined) confirmed.set(e.faceId, canonical(e.confirmedPersonId));
    else if (e.rejectedPersonIds.some((r) => canonical(r) === confirmed.get(e.faceId))) confirmed.delete(e.faceId);
  }
  return confirmed;
}

export function planReplay(state: EditState, existingFaceIds: ReadonlySet<string>): ReplayPlan {
  const canonical = aliasResolver(state.aliases);
  const confirmed = confirmedFaces(state, existingFaceIds, canonical);
  const rejected = new Map<string, Set<string>>();
  for (const e of state.faceEdits) {
    if (!existingFaceIds.has(e.faceId) || e.rejectedPersonIds.length === 0) continue;
    const ids = new Set(e.rejectedPersonIds.map(canonical));
    ids.delete(confirmed.get(e.faceId) ?? '');
    if (ids.size > 0) rejected.set(e.faceId, ids);
  }
  // Confirmed faces of one person chained by must-links; one anchor per person for the rest.
  const anchor = new Map<string, string>();
  const mustLink: (readonly [string, string])[] = [];
  for (const [face, person] of [...confirmed].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const first = anchor.get(person);
    if (first === undefined) anchor.set(person, face);
    else mustLink.push([first, face]);
  }
  const anchors = [...anchor.values()];
  const cannotLink: (readonly [string, string])[] = [];
  for (let i = 0; i < anchors.length; i++)
    for (let j = i + 1; j < anchors.length; j++) cannotLink.push([anchors[i]!, anchors[j]!]);
  const coverOf = new Map(state.previous.map((p) => [canonical(p.personId), p.coverFaceId]));
  for (const [face, people] of rejected) {
    for (const p of people) {
      const other = anchor.get(p) ?? coverOf.get(p);
      if (other !== undefined && other !== face && existingFaceIds.has(other)) cannotLink.push([face, other]);
    }
  }
  return { constraints: { mustLink, cannotLink }, confirmed, rejected, canonical };
}

export interface PlacedPerson {
  readonly personId: string;
  readonly faceIds: string[];
  readonly medoidFaceId: string;
  readonly cohesion: number;
}

/** Apply the plan to people that already have ids (by overlap): each confirmed face goes to its
 * person (a group is made for a person no cluster continued), and a face never stays in a person
 * it was rejected from (it becomes unassigned). */
export function placeConfirmed(
  people: readonly PlacedPerson[],
  unassigned: readonly string[],
  plan: ReplayPlan,
): { people: PlacedPerson[]; unassigned: string[] } {
  const loose = new Set(unassigned.filter((f) => !plan.confirmed.has(f)));
  const groups = new Map<string, { faceIds: string[]; medoidFaceId: string; cohesion: number }>();
  for (const p of people) {
    const free = p.faceIds.filter((f) => !plan.confirmed.has(f));
    // A cluster left with one face once its confirmed faces went to their people is no person.
    if (free.length === 1 && p.faceIds.length > 1) loose.add(free[0]!);
    else groups.set(p.personId, { faceIds: free, medoidFaceId: p.medoidFaceId, cohesion: p.cohesion });
  }
  for (const [face, personId] of [...plan.confirmed].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const g = groups.get(personId) ?? { faceIds: [], medoidFaceId: face, cohesion: 1 };
    g.faceIds.push(face);
    groups.set(personId, g);
  }
  const out: PlacedPerson[] = [];
  for (const [personId, g] of groups) {
    const faceIds = g.faceIds.filter((f) => {
      const keep = !(plan.rejected.get(f)?.has(personId) ?? false);
      if (!keep) loose.add(f);
      return keep;
    });
    if (faceIds.length === 0) continue;
    faceIds.sort();
    out.push({
      personId,
      faceIds,
      medoidFaceId: faceIds.includes(g.medoidFaceId) ? g.medoidFaceId : faceIds[0]!,
      cohesion: g.cohesion,
    });
  }
  return { people: out, unassigned: [...loose].sort() };
}
