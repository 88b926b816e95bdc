import type { ClusterConstraints, ClusterFace, ClusterResult } from './types.ts';

/** The quality gate: faces whose quality score is below `gate` are left out of clustering (they
 * carry too little identity: they embed close to each other and chain strangers into a "person").
 * A face the user linked to a person (a must-link) is kept: the user's word beats the score.
 * Faces without a score pass. */
export function splitByQuality(
  faces: readonly ClusterFace[],
  gate: number,
  constraints: ClusterConstraints,
): { kept: ClusterFace[]; gated: string[] } {
  if (!(gate > 0)) return { kept: [...faces], gated: [] };
  const linked = new Set<string>();
  for (const [a, b] of constraints.mustLink ?? []) {
    linked.add(a);
    linked.add(b);
  }
  const kept: ClusterFace[] = [];
  const gated: string[] = [];
  for (const f of faces) {
    if (f.quality === undefined || f.quality >= gate || linked.has(f.id)) kept.push(f);
    else gated.push(f.id);
  }
  return { kept, gated: gated.sort() };
}

/** People that cannot be one person: members that do not agree with their medoid (mean similarity
 * below `minCohesion`) are dissolved into unassigned faces. A person holding a user's must-link is
 * kept (the user vouched for it). */
export function dissolveIncoherent(
  result: ClusterResult,
  minCohesion: number,
  constraints: ClusterConstraints,
): ClusterResult {
  if (!(minCohesion > 0)) return result;
  const linked = new Set((constraints.mustLink ?? []).flat());
  const people = result.people.filter((p) => p.cohesion >= minCohesion || p.faceIds.some((id) => linked.has(id)));
  if (people.length === result.people.length) return result;
  const kept = new Set(people);
  const freed = result.people.filter((p) => !kept.has(p)).flatMap((p) => p.faceIds);
  return { ...result, people, unassigned: [...result.unassigned, ...freed].sort() };
}
