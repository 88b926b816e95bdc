import { describe, expect, it } from 'vitest';
import type { ConstrainedUnionFind } from '#core/cluster/constraints.ts';
import { cluster, type ClusterOptions } from '#core/cluster/index.ts';
import { groupLimitTightening, MergeEvidence } from '#core/cluster/merge-evidence.ts';
import { constrainedUnionFind, prepareFaces } from '#core/cluster/prepare.ts';
import type { ClusterFace } from '#core/cluster/types.ts';
import { seededRandom } from '#core/random.ts';

// Look-alikes: a man's 9 photos and a look-alike's 3, two tight groups whose centres are far apart
// (cosine 0.2), bridged by one close pair (a photo of each that happen to look alike). Single link
// merges all 12 on that pair; with the average-link guard the two groups stay apart.
const DIM = 64;

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function lookAlikes(): { faces: ClusterFace[]; identity: Map<string, string> } {
  const rand = seededRandom(7);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const a = new Float32Array(DIM),
    b = new Float32Array(DIM);
  a[0] = 1;
  b[0] = 0.2;
  b[1] = Math.sqrt(1 - 0.04);
  const face = (centre: Float32Array, noise: number): Float32Array =>
    unit(centre.map((x) => x + (gauss() * noise) / Math.sqrt(DIM)));
  const faces: ClusterFace[] = [];
  const identity = new Map<string, string>();
  const add = (id: string, who: string, vector: Float32Array): void => {
    faces.push({ id, photoId: id, vector, modelId: 'test' });
    identity.set(id, who);
  };
  for (let i = 0; i < 8; i++) add(`a${i}`, 'a', face(a, 0.45));
  for (let i = 0; i < 2; i++) add(`b${i}`, 'b', face(b, 0.45));
  // The bridge: one photo of each, a quarter of the way towards the other man (the pair is closer
  // than either is to the other man's photos).
  const mid = unit(a.map((x, d) => 0.75 * x + 0.25 * b[d]!));
  const midB = unit(b.map((x, d) => 0.75 * x + 0.25 * a[d]!));
  add('a8', 'a', face(mid, 0.1));
  add('b2', 'b', face(midB, 0.1));
  return { faces, identity };
}

describe('merge evidence across two groups', () => {
  const { faces, identity } = lookAlikes();
  /** People holding 2+ faces of each of the two men. */
  const mixed = (options: ClusterOptions): number =>
    cluster(faces, options).people.filter((p) =>
      ['a', 'b'].every((who) => p.faceIds.filter((id) => identity.get(id) === who).length >= 2),
    ).length;

  it('single link merges the two men on one close pair', () => {
    expect(mixed({ maxAverageDistance: Infinity, refine: false, minCohesion: 0 })).toBe(1);
  });

  it('the average-link guard keeps them apart (defaults)', () => {
    expect(mixed({})).toBe(0);
    const people = cluster(faces).people;
    expect(people.some((p) => p.faceIds.filter((id) => identity.get(id) === 'a').length >= 7)).toBe(true);
  });
});

describe('the stricter limit for two groups', () => {
  // Two tight groups of 5 whose centres are cosine 0.45 apart (average link ~0.59: inside the
  // 0.65 guard, outside 0.5), and one more face of the second man.
  const rand = seededRandom(11);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const a = new Float32Array(DIM),
    b = new Float32Array(DIM);
  a[0] = 1;
  b[0] = 0.45;
  b[1] = Math.sqrt(1 - 0.45 ** 2);
  const face = (centre: Float32Array): Float32Array => unit(centre.map((x) => x + (gauss() * 0.3) / Math.sqrt(DIM)));
  const faces: ClusterFace[] = [];
  for (let i = 0; i < 5; i++) faces.push({ id: `a${i}`, photoId: `a${i}`, vector: face(a), modelId: 'test' });
  for (let i = 0; i < 6; i++) faces.push({ id: `b${i}`, photoId: `b${i}`, vector: face(b), modelId: 'test' });
  const prepared = prepareFaces(faces); // sorted by id: a0..a4 are rows 0-4, b0..b5 rows 5-10

  function grouped(groupLimit: number): { evidence: MergeEvidence; uf: ConstrainedUnionFind } {
    const uf = constrainedUnionFind(prepared);
    const evidence = new MergeEvidence(uf, prepared.matrix, 0.65, groupLimit);
    for (let i = 1; i < 5; i++) expect(evidence.union(0, i)).toBe(true);
    for (let i = 6; i < 10; i++) expect(evidence.union(5, i)).toBe(true);
    return { evidence, uf };
  }

  it('two groups between the limits merge under the face guard alone, not under the group limit', () => {
    const loose = grouped(0.65);
    const d = loose.evidence.averageDistance(loose.uf.find(0), loose.uf.find(5));
    expect(d).toBeGreaterThan(0.5);
    expect(d).toBeLessThan(0.65);
    expect(loose.evidence.union(0, 5)).toBe(true);
    const strict = grouped(0.5);
    expect(strict.evidence.union(0, 5)).toBe(false);
    expect(strict.uf.find(0)).not.toBe(strict.uf.find(5));
    // A single face joining a group is still held to the face guard only.
    expect(strict.evidence.averageDistance(strict.uf.find(0), 10)).toBeGreaterThan(0.5);
    expect(strict.evidence.union(10, 0)).toBe(true);
  });

  it('tightens with the library size: none up to 10K faces, 0.15 from 100K', () => {
    expect(groupLimitTightening(2_000)).toBe(0);
    expect(groupLimitTightening(10_000)).toBe(0);
    expect(groupLimitTightening(31_623)).toBeCloseTo(0.075, 3);
    expect(groupLimitTightening(100_000)).toBeCloseTo(0.15, 6);
    expect(groupLimitTightening(1_000_000)).toBe(0.15);
  });
});
