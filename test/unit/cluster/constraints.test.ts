import { describe, expect, it } from 'vitest';
import { cluster } from '#core/cluster/index.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import type { ClusterFace } from '#core/cluster/types.ts';

const vec = (...xs: number[]): Float32Array => {
  const v = Float32Array.from(xs);
  const n = Math.hypot(...xs);
  return v.map((x) => x / n);
};

// Two tight groups of near-identical faces; every face in its own photo unless stated.
function twoGroups(photoOf: (i: number) => string = (i) => `p${i}`): ClusterFace[] {
  const faces: ClusterFace[] = [];
  for (let i = 0; i < 6; i++)
    faces.push({ id: `a${i}`, photoId: photoOf(i), vector: vec(1, 0.01 * i, 0, 0), modelId: 'm' });
  for (let i = 0; i < 6; i++)
    faces.push({ id: `b${i}`, photoId: photoOf(i + 6), vector: vec(0, 0, 1, 0.01 * i), modelId: 'm' });
  return faces;
}

const personOf = (people: { faceIds: string[] }[], id: string): number =>
  people.findIndex((p) => p.faceIds.includes(id));

for (const algorithm of ['rank-order', 'approximate-rank-order'] as const) {
  describe(`constraints during ${algorithm} merging`, () => {
    it('without constraints, each tight group becomes one person', () => {
      const r = cluster(twoGroups(), { algorithm });
      expect(r.people.map((p) => p.faceIds)).toEqual([
        ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'],
        ['b0', 'b1', 'b2', 'b3', 'b4', 'b5'],
      ]);
      expect(r.unassigned).toEqual([]);
    });

    it('two faces of one photo never share a person', () => {
      const r = cluster(
        twoGroups((i) => (i === 0 || i === 1 ? 'same' : `p${i}`)),
        { algorithm },
      );
      const p0 = personOf(r.people, 'a0');
      const p1 = personOf(r.people, 'a1');
      expect(p0 === -1 || p0 !== p1).toBe(true);
    });

    it("a user's cannot-link keeps two faces apart; a must-link joins faces of different groups", () => {
      const r = cluster(twoGroups(), { algorithm }, { cannotLink: [['a2', 'a3']], mustLink: [['a0', 'b0']] });
      const pa2 = personOf(r.people, 'a2');
      const pa3 = personOf(r.people, 'a3');
      expect(pa2 === -1 || pa2 !== pa3).toBe(true);
      expect(personOf(r.people, 'a0')).toBeGreaterThanOrEqual(0);
      expect(personOf(r.people, 'a0')).toBe(personOf(r.people, 'b0'));
    });
  });
}

describe('same-photo rule at scale', () => {
  it('no person holds two faces of one photo on 800 synthetic faces, 4 per photo', () => {
    const set = syntheticFaces({ faces: 800, facesPerPhoto: 4, seed: 7 });
    const photoOf = new Map(set.faces.map((f) => [f.id, f.photoId]));
    for (const algorithm of ['rank-order', 'approximate-rank-order'] as const) {
      const r = cluster(set.faces, { algorithm });
      expect(r.people.length).toBeGreaterThan(10);
      for (const p of r.people) {
        const photos = p.faceIds.map((id) => photoOf.get(id));
        expect(new Set(photos).size).toBe(photos.length);
      }
    }
  });
});
