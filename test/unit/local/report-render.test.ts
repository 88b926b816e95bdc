import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaceRecord, PersonRecord, PhotoRecord } from '#core/ports/face-store.ts';
import type { PeopleReport } from '#cli/report/model.ts';
import { writeReport, type WriteReportInput } from '#cli/report/write.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';

/** The report built from real face crops: people.json content, thumbnails cut from the photos,
 * escaped file names, relative links, and re-runs that reuse thumbnails and prune stale ones. */

const people = ['penny', 'sheldon', 'amy'];
const hostileName = `<img src=x onerror=alert(1)> & "q" 'a'.png`;

describeWithData('report writer', () => {
  let root = '';
  let photosDir = '';
  let outDir = '';
  let input: WriteReportInput;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rankface-report-'));
    photosDir = join(root, 'my photos');
    outDir = join(root, 'out');
    const photos: PhotoRecord[] = [];
    const faces: FaceRecord[] = [];
    const persons: PersonRecord[] = [];
    const vectors: { id: string; vector: Float32Array }[] = [];
    people.forEach((name, p) => {
      mkdirSync(join(photosDir, name), { recursive: true });
      const count = 5 - p; // 5, 4, 3 faces: people must come out largest first
      const ids: string[] = [];
      for (let i = 1; i <= count; i++) {
        const file = name === 'amy' && i === 1 ? hostileName : `${name}${i}.png`;
        copyFileSync(dataPath('bbt', name, `${name}${i}.png`), join(photosDir, name, file));
        const photoId = `${name}${i}`.padEnd(32, '0');
        photos.push({
          userId: 'local',
          photoId,
          sourceKey: `${name}/${file}`,
          contentHash: photoId.padEnd(64, '0'),
          width: 150,
          height: 150,
          status: 'embedded',
          faceCount: 1,
          updatedAt: 0,
        });
        const faceId = `${photoId}#000`;
        faces.push({
          userId: 'local',
          faceId,
          photoId,
          box: [30, 25, 90, 100],
          score: 0.99,
          landmarks: [
            [55, 60],
            [95, 60],
            [75, 85],
            [60, 105],
            [90, 105],
          ],
          quality: { sizePx: 90, sharpness: 100, yaw: 0, pitch: 0, roll: 0 },
        });
        ids.push(faceId);
        // Vectors near one direction per person, so the map has three groups.
        const v = new Float32Array(16).map((_, k) => (k === p ? 1 : 0) + Math.sin(i * 7 + k) * 0.05);
        vectors.push({ id: faceId, vector: v });
      }
      persons.push({
        userId: 'local',
        personId: `p_${name}`,
        faceIds: ids,
        coverFaceId: ids[ids.length - 1]!,
        cohesion: 0.8,
        updatedAt: 0,
      });
    });
    // One face with no person: it must be listed as unassigned.
    mkdirSync(join(photosDir, 'misc'), { recursive: true });
    copyFileSync(dataPath('bbt', 'raj', 'raj1.png'), join(photosDir, 'misc', 'raj1.png'));
    photos.push({
      userId: 'local',
      photoId: 'raj1'.padEnd(32, '0'),
      sourceKey: 'misc/raj1.png',
      contentHash: '0'.repeat(64),
      width: 150,
      height: 150,
      status: 'embedded',
      faceCount: 1,
      updatedAt: 0,
    });
    faces.push({
      userId: 'local',
      faceId: `${'raj1'.padEnd(32, '0')}#000`,
      photoId: 'raj1'.padEnd(32, '0'),
      box: [0, 0, 150, 150],
      score: 0.9,
      landmarks: [
        [55, 60],
        [95, 60],
        [75, 85],
        [60, 105],
        [90, 105],
      ],
      quality: { sizePx: 150, sharpness: 100, yaw: 0, pitch: 0, roll: 0 },
    });
    input = {
      outDir,
      photosDir,
      generatedAt: new Date('2026-01-02T03:04:05Z'),
      models: { detector: 'det', embedder: 'emb' },
      photos,
      faces,
      people: persons,
      modelId: 'emb',
      vectors,
      skipped: [
        { file: 'notes/<b>readme</b>.txt', code: 'unsupported', reason: 'not a photo type rankface reads (.txt)' },
      ],
      readPhoto: async (photo) => new Uint8Array(await readFile(join(photosDir, ...photo.split('/')))),
      readCrop: async () => undefined,
    };
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('writes people largest first with faces, covers, photos and unassigned faces', async () => {
    const written = await writeReport(input);
    const report = JSON.parse(readFileSync(join(outDir, 'people.json'), 'utf8')) as PeopleReport;
    expect(report.people.map((p) => [p.id, p.label, p.face_count, p.photo_count])).toEqual([
      ['p_penny', 'Person 1', 5, 5],
      ['p_sheldon', 'Person 2', 4, 4],
      ['p_amy', 'Person 3', 3, 3],
    ]);
    expect(report.people[0]!.cover.face_id).toBe(`${'penny5'.padEnd(32, '0')}#000`);
    expect(report.people[0]!.faces[0]!.face_id).toBe(report.people[0]!.cover.face_id);
    expect(report.people[2]!.photos).toContain(`amy/${hostileName}`);
    expect(report.unassigned.map((f) => f.photo)).toEqual(['misc/raj1.png']);
    expect(report.summary).toEqual({
      photos: 13,
      photos_with_faces: 13,
      faces: 13,
      people: 3,
      unassigned: 1,
      skipped: 1,
      gated: 0,
    });
    expect(report.people[1]!.faces[0]).toMatchObject({ box: [30, 25, 90, 100], score: 0.99 });
    expect(written.thumbsMade).toBe(13);
  });

  it('cuts a square JPEG thumbnail per face and links photos relatively, with every name escaped', async () => {
    const report = JSON.parse(readFileSync(join(outDir, 'people.json'), 'utf8')) as PeopleReport;
    for (const f of [...report.people.flatMap((p) => p.faces), ...report.unassigned]) {
      const meta = await sharp(join(outDir, f.thumb)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 160, 160]);
    }
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>readme</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39;.png');
    expect(html).toContain('href="../my%20photos/penny/penny1.png"');
    expect(html).toContain(`href="../my%20photos/amy/${encodeURIComponent(hostileName).replace(/'/g, '&#39;')}"`);
    expect(html.match(/class="person-card"/g)).toHaveLength(3);
    expect(html.match(/<circle /g)).toHaveLength(input.vectors.length); // faces with a vector are mapped
    expect(html).not.toMatch(/https?:\/\//); // self-contained: nothing fetched from the network
  });

  it('reuses thumbnails on a re-run and deletes those of faces that are gone', async () => {
    const again = await writeReport(input);
    expect(again.thumbsMade).toBe(0);
    const gone = input.faces.find((f) => f.photoId.startsWith('penny1'))!;
    const thumb = join(outDir, 'thumbs', `${gone.faceId.replace('#', '-')}.jpg`);
    expect(existsSync(thumb)).toBe(true);
    const fewer = await writeReport({
      ...input,
      faces: input.faces.filter((f) => f !== gone),
      people: input.people.map((p) => ({ ...p, faceIds: p.faceIds.filter((id) => id !== gone.faceId) })),
      photos: input.photos.filter((p) => p.photoId !== gone.photoId),
    });
    expect(fewer.thumbsRemoved).toBe(1);
    expect(existsSync(thumb)).toBe(false);
    expect(fewer.report.people[0]!.face_count).toBe(4);
  });
});
