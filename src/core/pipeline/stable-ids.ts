import type { ClusterPerson } from '#core/cluster/types.ts';
import type { PersonRecord } from '#core/ports/face-store.ts';
import { newPersonIdOf } from './keys.ts';

export interface IdentifiedPerson extends ClusterPerson {
  readonly personId: string;
  /** The previous person this one continues, if any (its name and hidden flag carry over). */
  readonly previous?: PersonRecord;
}

/** Give each new cluster the id of the previous person it overlaps most, so people keep their ids
 * (and the names users gave them) across re-clustering. Greedy on overlap size, ties broken by ids,
 * so the result is deterministic. A previous person is used at most once: when a person splits, the
 * larger overlapping part keeps the id. */
export function assignStablePersonIds(
  clusters: readonly ClusterPerson[],
  previous: readonly PersonRecord[],
): IdentifiedPerson[] {
  const ownerOfFace = new Map<string, number>();
  previous.forEach((p, i) => p.faceIds.forEach((f) => ownerOfFace.set(f, i)));

  const candidates: { cluster: number; prev: number; overlap: number }[] = [];
  clusters.forEach((c, ci) => {
    const counts = new Map<number, number>();
    for (const f of c.faceIds) {
      const owner = ownerOfFace.get(f);
      if (owner !== undefined) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    for (const [prev, overlap] of counts) candidates.push({ cluster: ci, prev, overlap });
  });
  candidates.sort(
    (a, b) =>
      b.overlap - a.overlap ||
      previous[a.prev]!.personId.localeCompare(previous[b.prev]!.personId) ||
      a.cluster - b.cluster,
  );

  const prevOf = new Map<number, number>();
  const usedPrev = new Set<number>();
  for (const { cluster, prev } of candidates) {
    if (prevOf.has(cluster) || usedPrev.has(prev)) continue;
    prevOf.set(cluster, prev);
    usedPrev.add(prev);
  }

  const taken = new Set(previous.map((p) => p.personId));
  return clusters.map((c, ci) => {
    const prevIndex = prevOf.get(ci);
    if (prevIndex !== undefined) {
      const prev = previous[prevIndex]!;
      return { ...c, personId: prev.personId, previous: prev };
    }
    let personId = newPersonIdOf(c.faceIds);
    // A new cluster whose face set hashes onto a retired id would silently inherit nothing, but
    // must not collide with an id still in use.
    while (taken.has(personId)) personId = newPersonIdOf([personId, ...c.faceIds]);
    taken.add(personId);
    return { ...c, personId };
  });
}
