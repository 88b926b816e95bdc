import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { ClusterSummary } from '#cli/commands/cluster.ts';
import type { Box } from '#core/types.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { FACE_PHOTO, GROUP_PHOTO, writeHostileCorpus } from '#test/helpers/hostile-corpus.ts';
import { allFaces, readPeople } from './cluster-helpers.ts';
import { expectSameFaces, runRankfaceMeasured } from './hostile-helpers.ts';

/** Issue 13, hostile-input suite (local): a folder of broken, odd and malicious files beside good
 * photos (generated: corrupt, truncated, 0-byte, noise, text, pixel bombs of 65500², HEIC, CMYK,
 * 16-bit, GIF/WebP/AVIF/TIFF, EXIF rotations, a FIFO, a link to /dev/zero, a sparse 2 GiB file).
 * One `rankface cluster` run: each hostile file is skipped with its typed code, every other file is
 * analysed exactly as its source photo is on its own, and the run's peak memory stays under 1 GB. */
describeWithData('rankface cluster over the hostile corpus', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-e2e-hostile-cluster-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const facesByPhoto = (outDir: string): Map<string, Box[]> => {
    const byPhoto = new Map<string, Box[]>();
    const report = readPeople(outDir);
    for (const f of [...allFaces(report), ...report.gated])
      byPhoto.set(f.photo, [...(byPhoto.get(f.photo) ?? []), f.box]);
    return byPhoto;
  };

  it('gives each file a typed refusal or its right faces, other photos unaffected, under 1 GB', async () => {
    // The two source photos alone: what "unaffected" means.
    const clean = join(root, 'clean');
    mkdirSync(clean);
    copyFileSync(GROUP_PHOTO, join(clean, 'group.jpg'));
    copyFileSync(FACE_PHOTO, join(clean, 'face.jpg'));
    const alone = await runRankfaceMeasured(['cluster', clean, '--out', join(root, 'clean-out'), '--json'], root);
    expect(alone.code).toBe(0);
    const expected = facesByPhoto(join(root, 'clean-out'));
    expect(expected.get('group.jpg')!.length).toBeGreaterThanOrEqual(6);
    expect(expected.get('face.jpg')!.length).toBeGreaterThanOrEqual(1);

    const photos = join(root, 'photos');
    mkdirSync(photos);
    const cases = await writeHostileCorpus(photos);
    const run = await runRankfaceMeasured(['cluster', photos, '--out', join(root, 'out'), '--json'], root);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const summary = JSON.parse(run.stdout) as ClusterSummary;
    const codes = new Map(summary.skipped.map((s) => [s.file, s.code]));
    const found = facesByPhoto(join(root, 'out'));

    for (const c of cases) {
      const e = c.expect;
      if ('refused' in e) {
        expect(e.refused, `${c.file}: code`).toContain(codes.get(c.file));
        expect(found.get(c.file), c.file).toBeUndefined();
      } else if ('refusedOrNoFaces' in e) {
        if (codes.has(c.file)) expect(e.refusedOrNoFaces, `${c.file}: code`).toContain(codes.get(c.file));
        expect(found.get(c.file), c.file).toBeUndefined();
      } else {
        expect(codes.get(c.file), `${c.file}: not skipped`).toBeUndefined();
        // The same bytes give the same faces; a re-encoded or rotated copy, the same faces upright.
        const source = 'minFaces' in e ? 'group.jpg' : 'face.jpg';
        expectSameFaces(c.file, found.get(c.file), expected.get(source)!, c.file === source ? 0.95 : 0.6);
      }
    }
    expect([...codes.keys()].filter((f) => !cases.some((c) => c.file === f))).toEqual([]);
    expect(summary.photos).toBe(cases.length - codes.size);
    for (const s of summary.skipped) expect(s.reason.length, s.file).toBeGreaterThan(0);
    expect(run.maxRssBytes).toBeLessThan(1024 ** 3);
  }, 180_000);
});
