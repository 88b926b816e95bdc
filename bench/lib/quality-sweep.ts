/** Tune the quality gate and the clusterer's guards on cached `rankface cluster` runs: reads the
 * faces, their stored quality signals and vectors from `<out>/rankface.db` (no model runs), scores
 * quality with candidate thresholds, clusters like `rankface cluster` does (all faces of every
 * photo), and scores each photo's LARGEST face by its folder (gated faces count as singletons).
 *
 *   node bin/rankface.js cluster ../shared/data/lfw-df-dev --out /tmp/q-lfw-df-dev   # once
 *   npx tsx bench/lib/quality-sweep.ts /tmp/q-lfw-df-dev [/tmp/q-lfw-120 ...]
 */
import { join } from 'node:path';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { cluster, type ClusterOptions } from '#core/cluster/index.ts';
import type { ClusterFace } from '#core/cluster/types.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';
import type { FaceRecord } from '#core/ports/face-store.ts';
import {
  landmarkPlausibility,
  QUALITY_THRESHOLDS,
  scoreQuality,
  type QualityThresholds,
} from '#core/vision/quality.ts';

export interface RunFace {
  readonly record: FaceRecord;
  readonly vector: Float32Array;
  readonly modelId: string;
  /** Folder of the photo when this is the photo's largest face, else undefined (background). */
  readonly subject?: string;
}

export async function loadRun(outDir: string): Promise<RunFace[]> {
  const store = new SqliteFaceStore(join(outDir, 'rankface.db'));
  try {
    const [photos, faces] = await Promise.all([store.listPhotos('local'), store.listFaces('local')]);
    const modelId = 'faceplugin-arcface512';
    const vectors = new Map((await store.listVectors('local', modelId)).map((v) => [v.faceId, v.vector]));
    const folder = new Map(photos.map((p) => [p.photoId, p.sourceKey.split('/')[0]!]));
    const largest = new Map<string, FaceRecord>();
    for (const f of faces) {
      const prev = largest.get(f.photoId);
      if (!prev || f.box[2] * f.box[3] > prev.box[2] * prev.box[3]) largest.set(f.photoId, f);
    }
    return faces.flatMap((f) => {
      const vector = vectors.get(f.faceId);
      if (!vector) return [];
      const subject = largest.get(f.photoId) === f ? folder.get(f.photoId) : undefined;
      // Geometry signals are recomputed (cheap; the formula may have changed since the run).
      const record = { ...f, quality: { ...f.quality, plausibility: landmarkPlausibility(f.box, f.landmarks) } };
      return [{ record, vector, modelId, ...(subject === undefined ? {} : { subject }) }];
    });
  } finally {
    store.close();
  }
}

export interface SweepScore {
  readonly pairwiseP: number;
  readonly pairwiseR: number;
  readonly bcubedF: number;
  readonly clustersPerIdentity: number;
  /** People in which no identity holds half the faces (background faces: one unknown identity each). */
  readonly junkPeople: number;
  /** People whose subject faces are not all one identity. */
  readonly mixedPeople: number;
  readonly people: number;
  readonly gated: number;
  readonly gatedSubjects: number;
}

export function scoreRun(
  faces: readonly RunFace[],
  thresholds: QualityThresholds,
  options: ClusterOptions,
): SweepScore {
  const input: ClusterFace[] = faces.map((f) => ({
    id: f.record.faceId,
    photoId: f.record.photoId,
    vector: f.vector,
    modelId: f.modelId,
    quality: scoreQuality(f.record.quality, f.record.score, thresholds).score,
  }));
  const result = cluster(input, options);
  const gated = new Set(result.gated ?? []);
  const subjects = faces.filter((f) => f.subject !== undefined);
  const ids = subjects.map((f) => f.record.faceId);
  const m = clusteringMetrics(
    subjects.map((f) => f.subject!),
    labelsFromResult(ids, result),
    subjects.map((f) => f.record.photoId),
  );
  const identityOf = new Map(faces.map((f) => [f.record.faceId, f.subject ?? `bg:${f.record.faceId}`]));
  let junk = 0,
    mixed = 0;
  for (const p of result.people) {
    const counts = new Map<string, number>();
    for (const id of p.faceIds) counts.set(identityOf.get(id)!, (counts.get(identityOf.get(id)!) ?? 0) + 1);
    if (Math.max(...counts.values()) * 2 < p.faceIds.length) junk++;
    if ([...counts.keys()].filter((k) => !k.startsWith('bg:')).length > 1) mixed++;
  }
  return {
    pairwiseP: m.pairwise.precision,
    pairwiseR: m.pairwise.recall,
    bcubedF: m.bcubed.f,
    clustersPerIdentity: m.clusters_per_identity,
    junkPeople: junk,
    mixedPeople: mixed,
    people: result.people.length,
    gated: gated.size,
    gatedSubjects: ids.filter((id) => gated.has(id)).length,
  };
}

const f3 = (v: number): string => v.toFixed(4);

export function scoreRow(name: string, s: SweepScore): string {
  return `| ${name} | ${f3(s.pairwiseP)} | ${f3(s.pairwiseR)} | ${f3(s.bcubedF)} | ${s.clustersPerIdentity.toFixed(3)} | ${s.people} | ${s.junkPeople} | ${s.mixedPeople} | ${s.gated} (${s.gatedSubjects} subjects) |`;
}

export const SCORE_HEADER =
  '| run | pairwise P | pairwise R | BCubed F | clusters/identity | people | junk people | mixed people | gated |\n|---|---|---|---|---|---|---|---|---|';

if (import.meta.url === `file://${process.argv[1]}`) {
  const dirs = process.argv.slice(2);
  const configs: [string, ClusterOptions][] = [
    [
      'before: no gate, single link, no refine',
      { qualityGate: 0, maxAverageDistance: Infinity, minCohesion: 0, refine: false },
    ],
    ...[0.25, 0.4, 0.5].map((g): [string, ClusterOptions] => [
      `gate ${g}`,
      { qualityGate: g, maxAverageDistance: Infinity, minCohesion: 0, refine: false },
    ]),
    ...[0.45, 0.5, 0.55, 0.6].map((d): [string, ClusterOptions] => [
      `gate 0.4, guard avg <= ${d}`,
      { qualityGate: 0.4, maxAverageDistance: d, refine: false },
    ]),
    ...[0.45, 0.5, 0.55].map((d): [string, ClusterOptions] => [
      `gate 0.4, guard 0.6, refine avg <= ${d}`,
      { qualityGate: 0.4, maxAverageDistance: 0.6, refine: { maxAverageDistance: d } },
    ]),
    ...[0.45, 0.5].map((c): [string, ClusterOptions] => [`defaults + cohesion >= ${c}`, { minCohesion: c }]),
    ['defaults', {}],
  ];
  for (const dir of dirs) {
    const faces = await loadRun(dir);
    process.stdout.write(`\n${dir}: ${faces.length} faces\n${SCORE_HEADER}\n`);
    for (const [name, options] of configs)
      process.stdout.write(`${scoreRow(name, scoreRun(faces, QUALITY_THRESHOLDS, options))}\n`);
  }
}
