import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Box } from '#core/types.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { FACE_PHOTO, GROUP_PHOTO, writeHostileCorpus } from '#test/helpers/hostile-corpus.ts';
import { expectSameFaces, runRankfaceMeasured } from './hostile-helpers.ts';

interface DetectResult {
  file: string;
  width: number | null;
  height: number | null;
  faces: { box: Box }[];
  error?: { code: string; message: string };
}

/** Issue 13, hostile-input suite (local, `rankface detect`): the whole generated corpus in one call
 * (a worker pool). Each file gets its own result: a typed error code, or the faces its source photo
 * has on its own, upright at the upright size; peak memory stays under 1 GB. */
describeWithData('rankface detect over the hostile corpus', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-e2e-hostile-detect-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('gives each file a typed error or its right faces, other photos unaffected, under 1 GB', async () => {
    const alone = await runRankfaceMeasured(['detect', GROUP_PHOTO, FACE_PHOTO, '--json'], root);
    expect(alone.code).toBe(0);
    const [group, face] = JSON.parse(alone.stdout) as DetectResult[];
    expect(group!.faces.length).toBeGreaterThanOrEqual(6);
    expect(face!.faces.length).toBeGreaterThanOrEqual(1);

    const photos = join(root, 'photos');
    mkdirSync(photos);
    const cases = await writeHostileCorpus(photos);
    const run = await runRankfaceMeasured(['detect', ...cases.map((c) => join(photos, c.file)), '--json'], root);
    expect(run.code, run.stderr.slice(-2000)).toBe(1); // 1: some files had errors
    const results = JSON.parse(run.stdout) as DetectResult[];
    expect(results.map((r) => r.file)).toEqual(cases.map((c) => join(photos, c.file)));

    cases.forEach((c, i) => {
      const r = results[i]!;
      const e = c.expect;
      if ('refused' in e || ('refusedOrNoFaces' in e && r.error)) {
        expect('refused' in e ? e.refused : e.refusedOrNoFaces, `${c.file}: code`).toContain(r.error?.code);
        expect(r.error!.message.length, c.file).toBeGreaterThan(0);
        expect(r.faces, c.file).toEqual([]);
      } else if ('refusedOrNoFaces' in e) {
        expect(r.faces, c.file).toEqual([]);
      } else {
        const source = 'minFaces' in e ? group! : face!;
        expect(r.error, c.file).toBeUndefined();
        expect([r.width, r.height], `${c.file}: upright size`).toEqual([source.width, source.height]);
        const sameBytes = source === group || c.file === 'face.jpg';
        expectSameFaces(
          c.file,
          r.faces.map((f) => f.box),
          source.faces.map((f) => f.box),
          sameBytes ? 0.95 : 0.6,
        );
      }
    });
    expect(run.maxRssBytes).toBeLessThan(1024 ** 3);
  }, 180_000);
});
