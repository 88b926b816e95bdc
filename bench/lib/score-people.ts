/** Score a `rankface cluster` run on a folder-per-identity set from its people.json alone: each
 * photo's LARGEST face is labelled by its folder (other faces are background people, unlabelled,
 * left out). Gated faces count as singletons.
 *
 *   npx tsx bench/lib/score-people.ts <out>/people.json [--json]
 */
import { readFileSync } from 'node:fs';
import { clusteringMetrics } from '#core/metrics/index.ts';

interface JsonFace {
  readonly face_id: string;
  readonly photo: string;
  readonly box: readonly number[];
}
interface PeopleJson {
  readonly people: ReadonlyArray<{ readonly id: string; readonly faces: readonly JsonFace[] }>;
  readonly unassigned: readonly JsonFace[];
  readonly gated?: readonly JsonFace[];
}

export interface PeopleScore {
  readonly photos: number;
  readonly subjectFaces: number;
  readonly subjectsMissing: number;
  readonly people: number;
  /** People (2+ labelled faces) in which no identity holds half the labelled faces. */
  readonly strangerPeople: number;
  /** People whose labelled faces are not all one identity. */
  readonly mixedPeople: number;
  readonly gatedSubjects: number;
  readonly pairwise: { precision: number; recall: number; f: number };
  readonly bcubed: { precision: number; recall: number; f: number };
  readonly clustersPerIdentity: number;
  readonly sameIdentityUnmerged: number;
}

export function scorePeopleJson(report: PeopleJson): PeopleScore {
  const label = new Map<string, string>();
  for (const p of report.people) for (const f of p.faces) label.set(f.face_id, `p:${p.id}`);
  const gated = new Set((report.gated ?? []).map((f) => f.face_id));
  const all = [...report.people.flatMap((p) => p.faces), ...report.unassigned, ...(report.gated ?? [])];
  const largest = new Map<string, JsonFace>();
  for (const f of all) {
    const prev = largest.get(f.photo);
    if (!prev || f.box[2]! * f.box[3]! > prev.box[2]! * prev.box[3]!) largest.set(f.photo, f);
  }
  const subjects = [...largest.values()].sort((a, b) => (a.photo < b.photo ? -1 : 1));
  const truth = subjects.map((f) => f.photo.split('/')[0]!);
  const predicted = subjects.map((f) => label.get(f.face_id) ?? `u:${f.face_id}`);
  const m = clusteringMetrics(
    truth,
    predicted,
    subjects.map((f) => f.photo),
  );
  const members = new Map<string, string[]>();
  predicted.forEach((p, i) => {
    if (p.startsWith('p:')) members.set(p, [...(members.get(p) ?? []), truth[i]!]);
  });
  let stranger = 0,
    mixed = 0;
  for (const ids of members.values()) {
    if (ids.length < 2) continue;
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const top = Math.max(...counts.values());
    if (top * 2 < ids.length) stranger++;
    if (counts.size > 1) mixed++;
  }
  return {
    photos: largest.size,
    subjectFaces: subjects.length,
    subjectsMissing: 0,
    people: report.people.length,
    strangerPeople: stranger,
    mixedPeople: mixed,
    gatedSubjects: subjects.filter((f) => gated.has(f.face_id)).length,
    pairwise: m.pairwise,
    bcubed: m.bcubed,
    clustersPerIdentity: m.clusters_per_identity,
    sameIdentityUnmerged: m.merges_needed_per_100,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: score-people.ts <people.json>');
  const score = scorePeopleJson(JSON.parse(readFileSync(file, 'utf8')) as PeopleJson);
  process.stdout.write(`${JSON.stringify(score, null, 2)}\n`);
}
