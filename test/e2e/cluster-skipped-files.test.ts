import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { readPeople, runCluster } from './cluster-helpers.ts';

/** Files that are not photos, or photos that cannot be decoded, are listed with a reason in the
 * summary and the report; they never stop the run, and are not retried while unchanged. */
describeWithData('rankface cluster with unreadable files', () => {
  let root = '';
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('lists them with reasons and goes on', async () => {
    root = mkdtempSync(join(tmpdir(), 'rankface-e2e-skip-'));
    const photos = join(root, 'photos');
    mkdirSync(join(photos, 'sub'), { recursive: true });
    copyFileSync(dataPath('group', 'bbt', 'bbt4.jpg'), join(photos, 'good.jpg'));
    const jpeg = readFileSync(dataPath('group', 'bbt', 'bbt3.jpg'));
    writeFileSync(join(photos, 'sub', 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.byteLength / 3)));
    writeFileSync(join(photos, 'sub', 'empty.png'), new Uint8Array(0));
    writeFileSync(join(photos, 'not-an-image.webp'), 'plain text, not a WebP');
    writeFileSync(join(photos, 'notes.txt'), 'holiday 2024');
    writeFileSync(join(photos, '.DS_Store'), 'hidden files are ignored');

    const { summary } = await runCluster(photos, join(root, 'out'));
    expect(summary.photos).toBe(1);
    expect(summary.faces).toBeGreaterThanOrEqual(6);
    const codes = Object.fromEntries(summary.skipped.map((s) => [s.file, s.code]));
    expect(Object.keys(codes).sort()).toEqual(['not-an-image.webp', 'notes.txt', 'sub/empty.png', 'sub/truncated.jpg']);
    expect(codes['notes.txt']).toBe('unsupported');
    expect(codes['sub/empty.png']).toBe('empty');
    expect(['corrupt', 'unsupported']).toContain(codes['sub/truncated.jpg']);
    expect(['corrupt', 'unsupported']).toContain(codes['not-an-image.webp']);
    for (const s of summary.skipped) expect(s.reason.length).toBeGreaterThan(0);

    const report = readPeople(join(root, 'out'));
    expect(report.skipped.map((s) => s.file).sort()).toEqual(Object.keys(codes).sort());
    const html = readFileSync(join(root, 'out', 'index.html'), 'utf8');
    for (const file of Object.keys(codes)) expect(html).toContain(file);

    // Unchanged broken files are not tried again, and are still reported.
    const again = await runCluster(photos, join(root, 'out'));
    expect(again.summary.new_photos).toBe(0);
    expect(again.summary.skipped.map((s) => s.file).sort()).toEqual(Object.keys(codes).sort());
  });
});
