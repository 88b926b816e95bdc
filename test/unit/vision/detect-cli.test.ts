import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { iou } from '#core/vision/nms.ts';
import { dataPath, describeWithData, repoRoot } from '#test/helpers/data.ts';
import { boxOf, groupAnnotations } from './helpers.ts';

// `rankface detect --json`: one object per image with exactly {file, width, height, faces} (faces:
// {box: [x, y, w, h], score, landmarks: 5 x [x, y], quality: {score, reasons}}) in original pixels; a bad file gets an
// `error` instead of stopping the run.
describeWithData('rankface detect --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rankface-detect-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints boxes, scores and landmarks per image, and an error for a bad file', async () => {
    const photo = dataPath('group', 'pascal', '2008_001322.jpg');
    const bad = join(dir, 'broken.jpg');
    writeFileSync(bad, 'not a jpeg');
    const run = await promisify(execFile)(
      process.execPath,
      [join(repoRoot, 'bin', 'rankface.js'), 'detect', photo, bad, '--json'],
      { cwd: dir },
    ).catch((e: { stdout: string; code: number }) => e);
    expect((run as { code?: number }).code ?? 0).toBe(1); // some file failed
    const out = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(out).toHaveLength(2);

    const [ok, failed] = out as [Record<string, unknown>, Record<string, unknown>];
    expect(Object.keys(ok).sort()).toEqual(['faces', 'file', 'height', 'width']);
    expect(ok).toMatchObject({ file: photo, width: 500, height: 375 });
    const faces = ok.faces as {
      box: number[];
      score: number;
      landmarks: number[][];
      quality: { score: number; reasons: string[] };
    }[];
    for (const f of faces) {
      expect(Object.keys(f).sort()).toEqual(['box', 'landmarks', 'quality', 'score']);
      expect(f.quality.score).toBeGreaterThanOrEqual(0);
      expect(f.quality.score).toBeLessThanOrEqual(1);
      expect(Array.isArray(f.quality.reasons)).toBe(true);
      expect(f.box).toHaveLength(4);
      expect(f.landmarks).toHaveLength(5);
      for (const p of f.landmarks) expect(p).toHaveLength(2);
      expect(f.score).toBeGreaterThan(0);
      expect(f.score).toBeLessThanOrEqual(1);
    }
    const truth = groupAnnotations()['pascal/2008_001322.jpg']!.faces as {
      x: number;
      y: number;
      w: number;
      h: number;
    }[];
    for (const t of truth)
      expect(
        Math.max(...faces.map((f) => iou(f.box as [number, number, number, number], boxOf(t)))),
      ).toBeGreaterThanOrEqual(0.4);

    expect(failed).toMatchObject({ file: bad, faces: [], error: { code: 'unsupported' } });
  });
});
