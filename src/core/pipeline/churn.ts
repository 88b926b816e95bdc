import type { PersonRecord } from '#core/ports/face-store.ts';

/** What one clustering run changed for a user, against the people before it. */
export interface ChurnReport {
  /** Faces (present before and after) whose person changed, unassigned counting as "no person". */
  readonly faces_changed: number;
  /** Of those, faces the user had confirmed: must be 0. */
  readonly confirmed_changed: number;
  readonly people_created: number;
  readonly people_removed: number;
  /** Previous people whose faces now mostly belong to another previous person's id. */
  readonly people_merged: number;
  /** Previous people whose faces now sit in two or more people. */
  readonly people_split: number;
  /** Faces that had no person before and joined a person that existed before. */
  readonly new_faces_joined_known: number;
}

/** Compare two people lists in O(faces). `confirmed` is the set of faces the user confirmed. */
export function churnOf(
  before: readonly PersonRecord[],
  after: readonly PersonRecord[],
  confirmed: ReadonlySet<string>,
  existing: ReadonlySet<string>,
): ChurnReport {
  const personBefore = new Map(before.flatMap((p) => p.faceIds.map((f) => [f, p.personId] as const)));
  const personAfter = new Map(after.flatMap((p) => p.faceIds.map((f) => [f, p.personId] as const)));
  const beforeIds = new Set(before.map((p) => p.personId));
  const afterIds = new Set(after.map((p) => p.personId));
  let facesChanged = 0;
  let confirmedChanged = 0;
  let joined = 0;
  for (const f of existing) {
    const was = personBefore.get(f);
    const now = personAfter.get(f);
    if (was === undefined && now !== undefined && beforeIds.has(now)) joined++;
    if (was === undefined || was === now) continue;
    facesChanged++;
    if (confirmed.has(f)) confirmedChanged++;
  }
  let merged = 0;
  let split = 0;
  for (const p of before) {
    const destinations = new Map<string, number>();
    for (const f of p.faceIds) {
      const now = personAfter.get(f);
      if (now !== undefined) destinations.set(now, (destinations.get(now) ?? 0) + 1);
    }
    if (destinations.size >= 2) split++;
    const main = [...destinations].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!afterIds.has(p.personId) && main !== undefined && beforeIds.has(main)) merged++;
  }
  return {
    faces_changed: facesChanged,
    confirmed_changed: confirmedChanged,
    people_created: [...afterIds].filter((id) => !beforeIds.has(id)).length,
    people_removed: [...beforeIds].filter((id) => !afterIds.has(id)).length,
    people_merged: merged,
    people_split: split,
    new_faces_joined_known: joined,
  };
}
