import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { dataPath, describeWithData, repoRoot } from '#test/helpers/data.ts';

// `rankface eval` end to end on 40 real greyscale face crops of 8 people: the real detector and
// embedder, default clustering, the JSON keys other tools read.
describeWithData('rankface eval on bbt', () => {
  it('prints the documented keys with sane values', () => {
    const out = spawnSync(process.execPath, [join(repoRoot, 'bin', 'rankface.js'), 'eval', dataPath('bbt'), '--json'], {
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(out.status, out.stderr).toBe(0);
    const r = JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, unknown> & {
      images: number;
      identities: number;
      faces: number;
      missed_images: number;
      verification: { auc: number; tar_at_far_1e3: number };
      clustering: {
        pairwise: { precision: number; recall: number; f: number };
        bcubed: { precision: number; recall: number; f: number };
        nmi: number;
        clusters: number;
        clusters_per_identity: number;
        singleton_rate: number;
        wrong_faces: number;
        same_photo_violations: number;
      };
      timing: { ms_per_image: number };
    };
    expect(Object.keys(r)).toEqual(
      expect.arrayContaining([
        'images',
        'identities',
        'faces',
        'missed_images',
        'verification',
        'clustering',
        'timing',
      ]),
    );
    expect(Object.keys(r.clustering)).toEqual(
      expect.arrayContaining([
        'pairwise',
        'bcubed',
        'nmi',
        'clusters',
        'clusters_per_identity',
        'singleton_rate',
        'wrong_faces',
        'same_photo_violations',
      ]),
    );
    expect(r.images).toBe(40);
    expect(r.identities).toBe(8);
    expect(r.faces + r.missed_images).toBe(40);
    expect(r.faces).toBeGreaterThanOrEqual(36);
    expect(r.verification.auc).toBeGreaterThan(0.95);
    expect(r.verification.tar_at_far_1e3).toBeGreaterThan(0.5);
    expect(r.verification.tar_at_far_1e3).toBeLessThanOrEqual(1);
    for (const prf of [r.clustering.pairwise, r.clustering.bcubed]) {
      for (const v of [prf.precision, prf.recall, prf.f]) expect(v).toBeGreaterThanOrEqual(0);
      expect(prf.precision).toBeLessThanOrEqual(1);
    }
    expect(r.clustering.bcubed.f).toBeGreaterThan(0.85);
    expect(r.clustering.nmi).toBeGreaterThan(0.8);
    expect(r.clustering.clusters).toBeGreaterThanOrEqual(6);
    expect(r.clustering.clusters).toBeLessThanOrEqual(12);
    expect(r.clustering.clusters_per_identity).toBeGreaterThanOrEqual(1);
    expect(r.clustering.singleton_rate).toBeGreaterThanOrEqual(0);
    expect(r.clustering.same_photo_violations).toBe(0);
    expect(r.timing.ms_per_image).toBeGreaterThan(0);
  });
});
