import { describe, expect, it } from 'vitest';
import { cluster, MixedModelsError } from '#core/cluster/index.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { seededRandom } from '#core/random.ts';

describe('cluster() is deterministic and checks its input', () => {
  const set = syntheticFaces({ faces: 500, seed: 3 });

  it('gives the same result for the same faces in any order', () => {
    for (const algorithm of ['rank-order', 'approximate-rank-order'] as const) {
      const a = cluster(set.faces, { algorithm });
      const rand = seededRandom(11);
      const shuffled = [...set.faces].sort(() => rand() - 0.5);
      const b = cluster(shuffled, { algorithm });
      expect(b).toEqual(a);
      expect(a.people.length).toBeGreaterThan(0);
      // Largest first; medoid is a member.
      for (let i = 1; i < a.people.length; i++)
        expect(a.people[i - 1].faceIds.length).toBeGreaterThanOrEqual(a.people[i].faceIds.length);
      for (const p of a.people) expect(p.faceIds).toContain(p.medoidFaceId);
    }
  });

  it('refuses to mix vectors of different models', () => {
    const mixed = [...set.faces.slice(0, 5), { ...set.faces[5], modelId: 'other-model' }];
    expect(() => cluster(mixed)).toThrow(MixedModelsError);
    expect(() => cluster(mixed)).toThrow(/different models/);
  });

  it('handles empty and single-face input', () => {
    expect(cluster([])).toEqual({ people: [], unassigned: [], gated: [] });
    expect(cluster(set.faces.slice(0, 1))).toEqual({ people: [], unassigned: [set.faces[0].id], gated: [] });
  });
});
