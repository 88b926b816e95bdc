import { existsSync, mkdtempSync, rmSync, renameSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { allFaces, makeBbtFolder, readPeople, runCluster } from './cluster-helpers.ts';

/** Re-runs of `rankface cluster` analyse only what changed: nothing when nothing did; a removed
 * photo takes its faces (and thumbnails) with it; people keep their ids. */
describeWithData('rankface cluster re-runs', () => {
  let root = '';
  const photos = (): string => join(root, 'photos');
  const out = (): string => join(root, 'out');

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rankface-e2e-incr-'));
    makeBbtFolder(photos(), ['leonard', 'penny', 'sheldon']);
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("analyses nothing on a second run, removes a deleted photo's faces, and keeps person ids", async () => {
    const first = await runCluster(photos(), out());
    const before = readPeople(out());
    expect(first.summary.new_photos).toBe(20);
    expect(first.summary.photos).toBe(20);

    const second = await runCluster(photos(), out());
    expect(second.summary).toMatchObject({
      new_photos: 0,
      reused_photos: 20,
      removed_photos: 0,
      photos: 20,
      faces: first.summary.faces,
      people: first.summary.people,
    });
    expect(second.summary.engine.workers).toBe(0); // the face engine was not even started
    const again = readPeople(out());
    expect(again.people.map((p) => [p.id, p.faces.map((f) => f.face_id)])).toEqual(
      before.people.map((p) => [p.id, p.faces.map((f) => f.face_id)]),
    );

    // Remove a group photo: its faces leave the store and the report; every person keeps its id.
    const removed = 'group/bbt3.jpg';
    const removedFaces = allFaces(before).filter((f) => f.photo === removed);
    expect(removedFaces.length).toBeGreaterThan(0);
    rmSync(join(photos(), ...removed.split('/')));
    const third = await runCluster(photos(), out());
    expect(third.summary).toMatchObject({
      new_photos: 0,
      removed_photos: 1,
      photos: 19,
      faces: first.summary.faces - removedFaces.length,
    });
    const after = readPeople(out());
    expect(allFaces(after).some((f) => f.photo === removed)).toBe(false);
    for (const f of removedFaces) expect(existsSync(join(out(), f.thumb))).toBe(false);
    const idsBefore = new Set(before.people.map((p) => p.id));
    for (const p of after.people.filter((q) => q.face_count >= 3)) expect(idsBefore.has(p.id)).toBe(true);

    // A renamed photo is not analysed again; a new photo is.
    renameSync(join(photos(), 'penny', 'penny1.png'), join(photos(), 'penny', 'renamed.png'));
    copyFileSync(join(photos(), 'group', 'bbt1.jpg'), join(photos(), 'copy-of-bbt1.jpg'));
    copyFileSync(join(photos(), 'group', 'bbt2.jpg'), join(photos(), 'group', 'bbt2-again.jpg'));
    copyFileSync(dataPath('bbt', 'amy', 'amy1.png'), join(photos(), 'amy1.png'));
    const fourth = await runCluster(photos(), out());
    expect(fourth.summary).toMatchObject({
      new_photos: 1,
      reused_photos: 19,
      renamed_photos: 1,
      removed_photos: 0,
      photos: 20,
    });
    expect(fourth.summary.duplicates.map((d) => d.file).sort()).toEqual(['copy-of-bbt1.jpg', 'group/bbt2-again.jpg']);
    expect(allFaces(readPeople(out())).some((f) => f.photo === 'penny/renamed.png')).toBe(true);
  });
});
