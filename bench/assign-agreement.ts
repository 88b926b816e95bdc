/** `tsx bench/assign-agreement.ts [--json]`: do exemplars change incremental assignment's joins?
 * Every labelled face (lfw-df-dev, lfw-120, bbt; cached vectors of the default embedder, as
 * bench:calibrate embeds them) is offered, leave-one-out, to people made of the true identities'
 * other faces (a perfect clustering: one person per identity with ≥ 1 other face). The exact rule
 * matches it against every member; the exemplar rule (what the cloud reads) against the
 * chooseExemplars of each person, for several k. Prints, per k: decisions that differ from the
 * exact rule, and join precision / recall against the labels (recall over faces whose identity
 * has a person). Single-face identities are distractors: any join of theirs is wrong. */
import { calibrationFor } from '#config/calibration.ts';
import { readEngineConfig } from '#config/engine.ts';
import { chooseJoins } from '#core/pipeline/assign-new-faces.ts';
import { chooseExemplars, matchToPeople } from '#core/pipeline/person-match.ts';
import type { VectorRecord } from '#core/ports/face-store.ts';
import { labelledVectors } from './lib/calibration-sets.ts';

const SETS = ['lfw-df-dev', 'lfw-120', 'bbt'];
const KS = [2, 4, 8, 16];

const config = readEngineConfig();
const calibration = calibrationFor(config.embedder);
if (!calibration) throw new Error(`no calibration for ${config.embedder}`);
const faces = [...(await labelledVectors(config, SETS)).values()].flat();
const records: VectorRecord[] = faces.map((f) => ({
  userId: 'u',
  faceId: f.id,
  photoId: f.id,
  modelId: calibration.modelId,
  modelVersion: '1',
  vector: f.vector,
}));
const identityOf = new Map(faces.map((f) => [f.id, f.identity]));
const byIdentity = new Map<string, VectorRecord[]>();
for (const r of records)
  byIdentity.set(identityOf.get(r.faceId)!, [...(byIdentity.get(identityOf.get(r.faceId)!) ?? []), r]);

/** Decision for one face (leave-one-out): the person (identity) it joins, or undefined. */
function decide(face: VectorRecord, k: number | undefined): string | undefined {
  const people = [...byIdentity.entries()]
    .map(([identity, members]) => {
      const others = members.filter((m) => m.faceId !== face.faceId);
      return { personId: identity, members: k === undefined ? others : chooseExemplars(others, k) };
    })
    .filter((p) => p.members.length > 0);
  const vectors = [face, ...people.flatMap((p) => p.members)];
  const input = {
    people: people.map((p) => ({ personId: p.personId, faceIds: p.members.map((m) => m.faceId) })),
    vectors,
    faceEdits: [],
    aliases: [],
  };
  const matches = matchToPeople(input, new Set([face.faceId]), calibration!);
  return chooseJoins(matches, new Map([[face.faceId, face.photoId]]), calibration!.joinThreshold).get(face.faceId);
}

const hasPerson = (f: VectorRecord): boolean => byIdentity.get(identityOf.get(f.faceId)!)!.length > 1;
const exact = records.map((f) => decide(f, undefined));
const score = (decisions: (string | undefined)[]) => {
  const joins = decisions.filter((d) => d !== undefined).length;
  const right = decisions.filter((d, i) => d !== undefined && d === identityOf.get(records[i]!.faceId)).length;
  const reachable = records.filter(hasPerson).length;
  return { joins, precision: joins ? right / joins : 1, recall: right / reachable };
};
const rows = [{ k: 'all members (exact)', differ: 0, ...score(exact) }];
for (const k of KS) {
  const d = records.map((f) => decide(f, k));
  rows.push({ k: String(k), differ: d.filter((x, i) => x !== exact[i]).length, ...score(d) });
}
const largest = Math.max(...[...byIdentity.values()].map((m) => m.length));
process.stdout.write(
  [
    `${records.length} faces, ${byIdentity.size} identities (largest ${largest} faces), embedder ${config.embedder}, join threshold ${calibration.joinThreshold}`,
    '',
    '| exemplars per person | decisions ≠ exact | joins | precision | recall |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.k} | ${r.differ} | ${r.joins} | ${r.precision.toFixed(4)} | ${r.recall.toFixed(4)} |`),
  ].join('\n') + '\n',
);
if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ faces: records.length, rows }) + '\n');
