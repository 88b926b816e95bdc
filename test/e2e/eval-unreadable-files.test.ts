import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataPath, describeWithData, repoRoot } from '#test/helpers/data.ts';

const run = promisify(execFile);

/** `rankface eval` on a labelled set holding damaged files: a truncated copy of a real photo, a
 * text file named `.jpg` and an empty file are errors with a typed code, reported apart from a
 * real photo where no face is found (a heavily blurred one), in `--json` and in the table. */
describeWithData('rankface eval with unreadable files', () => {
  let root = '';
  const damaged = ['amy/truncated.jpg', 'amy/text.jpg', 'penny/empty.png'];
  const evalCli = async (...extra: string[]): Promise<string> =>
    (
      await run(process.execPath, [join(repoRoot, 'bin', 'rankface.js'), 'eval', join(root, 'set'), ...extra], {
        cwd: repoRoot,
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
      })
    ).stdout;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rankface-e2e-eval-errors-'));
    for (const who of ['amy', 'penny']) {
      mkdirSync(join(root, 'set', who), { recursive: true });
      for (const f of readdirSync(dataPath('bbt', who)).sort().slice(0, 4))
        copyFileSync(dataPath('bbt', who, f), join(root, 'set', who, f));
    }
    const photo = readFileSync(dataPath('group', 'bbt', 'bbt3.jpg'));
    writeFileSync(join(root, 'set', 'amy', 'truncated.jpg'), photo.subarray(0, Math.floor(photo.byteLength / 3)));
    writeFileSync(join(root, 'set', 'amy', 'text.jpg'), 'a shopping list, not a photo');
    writeFileSync(join(root, 'set', 'penny', 'empty.png'), new Uint8Array(0));
    // A real photo that decodes fine but shows no face any more.
    await sharp(photo)
      .blur(60)
      .toFile(join(root, 'set', 'penny', 'blurred.jpg'));
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('--json counts them as errors with a code per file, never as images without a face', async () => {
    const r = JSON.parse((await evalCli('--json')).trim().split('\n').pop()!) as {
      images: number;
      faces: number;
      missed_images: number;
      error_images: number;
      errors: { file: string; code: string; reason: string }[];
    };
    expect(r.images).toBe(12);
    expect(r.error_images).toBe(3);
    const codes = Object.fromEntries(r.errors.map((e) => [e.file, e.code]));
    expect(Object.keys(codes).sort()).toEqual([...damaged].sort());
    expect(['corrupt', 'unsupported']).toContain(codes['amy/truncated.jpg']);
    expect(codes['amy/text.jpg']).toBe('unsupported');
    expect(codes['penny/empty.png']).toBe('empty');
    for (const e of r.errors) expect(e.reason.length).toBeGreaterThan(0);
    // The blurred photo is the one image without a face at least; damaged files are not in that count.
    expect(r.missed_images).toBeGreaterThanOrEqual(1);
    expect(r.faces + r.missed_images + r.error_images).toBe(r.images);
    expect(r.faces).toBeGreaterThanOrEqual(6);
  });

  it('the table names each damaged file with its code', async () => {
    const table = await evalCli();
    expect(table).toMatch(/\b3 unreadable\b/);
    for (const file of damaged) expect(table).toMatch(new RegExp(`${file.replace('.', '\\.')}: error [a-z-]+: `));
  });
});
