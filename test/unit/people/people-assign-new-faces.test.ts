import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { calibrationFor } from '#config/calibration.ts';
import { readEngineConfig } from '#config/engine.ts';
import type { PersonRecord } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { assignNewFaces, assignPhotoFaces, type AssignDeps } from '#core/pipeline/assign-new-faces.ts';
import { storeAnalyzedPhoto } from '#core/pipeline/detect-photo.ts';
import { rejectFace } from '#core/pipeline/people-edits.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from '../vision/helpers.ts';

// Incremental assignment on SQLite with real photos (lfw-120, default embedder): four people made
// from the first three photos of four identities; each later photo of theirs, embedded, joins its
// own person at once (provisional) when the calibrated P(same) clears the join threshold; never a
// person the user rejected the face from, never a person already in the same photo; twice the same
// photo changes nothing.
const IDENTITIES = ['Al_Gore', 'Al_Sharpton', 'Albert_Costa', 'Alan_Greenspan'];
const KNOWN_PER_IDENTITY = 3;
const USER = 'u1';

describeWithData('incremental assignment of new faces to known people (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rankface-assign-'));
  const store = new SqliteFaceStore(':memory:');
  let now = 1_000;
  const base = {
    blobs: new FsBlobStore(join(dir, 'blobs')),
    faces: store,
    clock: { now: () => ++now },
    logger: silentLogger,
  };
  const calibration = calibrationFor(readEngineConfig({}).embedder)!;
  const deps: AssignDeps = { ...base, calibration };
  /** New photos (not in any person yet): photo id → identity. */
  const newPhotos = new Map<string, string>();
  /** Largest face of each stored photo. */
  const mainFace = new Map<string, string>();

  beforeAll(async () => {
    const analyzer = await defaultAnalyzer();
    const people: PersonRecord[] = [];
    try {
      for (const identity of IDENTITIES) {
        const files = labelledFiles('lfw-120').filter(([id]) => id === identity);
        const members: string[] = [];
        for (const [i, [, file]] of files.entries()) {
          const photoId = `${identity}-${i}`;
          const photo = await analyzer.analyze(readBytes(file));
          const out = await storeAnalyzedPhoto(
            { userId: USER, photoId, sourceKey: file, bytes: readBytes(file) },
            photo,
            base,
          );
          const largest = photo.faces
            .map((f, j) => ({ j, area: f.box[2] * f.box[3] }))
            .sort((a, b) => b.area - a.area)[0];
          if (largest === undefined) continue;
          mainFace.set(photoId, out.faceIds[largest.j]!);
          if (i < KNOWN_PER_IDENTITY) members.push(out.faceIds[largest.j]!);
          else newPhotos.set(photoId, identity);
        }
        people.push({
          userId: USER,
          personId: `p-${identity}`,
          name: identity,
          faceIds: members.sort(),
          coverFaceId: members[0]!,
          cohesion: 1,
          updatedAt: 1,
          confirmedFaceIds: members,
        });
      }
    } finally {
      await analyzer.dispose();
    }
    await store.replacePeople(USER, people);
  }, 600_000);
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const personOfFace = async (): Promise<Map<string, PersonRecord>> =>
    new Map((await store.listPeople(USER)).flatMap((p) => p.faceIds.map((f) => [f, p] as const)));

  it('rejected from a person, a face does not join it; the same-photo rule keeps a second face out', async () => {
    // The first new photo of Al Gore: its face is rejected from Al Gore's person before it is assigned.
    const [photoId] = [...newPhotos].find(([, id]) => id === 'Al_Gore')!;
    const faceId = mainFace.get(photoId)!;
    await store.commitPeopleChange(USER, {
      putFaceEdits: [
        {
          edit: { userId: USER, faceId, rejectedPersonIds: ['p-Al_Gore'], version: 1, updatedAt: 1 },
          expectedVersion: undefined,
        },
      ],
    });
    const outcome = await assignPhotoFaces(USER, photoId, deps);
    expect(outcome.joined.get(faceId)).toBeUndefined();
    expect((await personOfFace()).get(faceId)).toBeUndefined();
    // A photo already in Al Gore's person: its face (same vector, so the best possible match) stays out.
    const member = (await store.getPerson(USER, 'p-Al_Gore'))!.faceIds[0]!;
    const memberVector = (await store.listVectors(USER, calibration.modelId)).find((v) => v.faceId === member)!;
    const twin = { ...memberVector, faceId: `${member}-twin` };
    const original = (await store.listFacesOfPhoto(USER, twin.photoId)).find((f) => f.faceId === member)!;
    await store.replaceFaces(USER, twin.photoId, [
      ...(await store.listFacesOfPhoto(USER, twin.photoId)),
      { ...original, faceId: twin.faceId },
    ]);
    await store.putVectors([twin]);
    expect((await assignNewFaces(USER, [original, { ...original, faceId: twin.faceId }], deps)).joined.size).toBe(0);
  });

  it('new photos of known people join their own person, marked provisional', async () => {
    const before = await personOfFace();
    let joined = 0;
    let wrong = 0;
    let eligible = 0;
    for (const [photoId, identity] of newPhotos) {
      const face = mainFace.get(photoId)!;
      if (before.has(face) || (await store.listFaceEdits(USER)).some((e) => e.faceId === face)) continue;
      eligible++;
      const outcome = await assignPhotoFaces(USER, photoId, deps);
      const to = outcome.joined.get(face);
      if (to === undefined) continue;
      joined++;
      if (to !== `p-${identity}`) wrong++;
    }
    expect(eligible).toBeGreaterThanOrEqual(10);
    expect(wrong).toBe(0);
    expect(joined / eligible).toBeGreaterThanOrEqual(0.9);
    const after = await personOfFace();
    const provisional = new Set((await store.listPeople(USER)).flatMap((p) => p.provisionalFaceIds ?? []));
    expect(provisional.size).toBe(joined);
    for (const f of provisional) expect(after.has(f)).toBe(true);
    // Confirmed members stay where they were.
    for (const [f, p] of before) expect(after.get(f)?.personId).toBe(p.personId);
  });

  it('assigning the same photos again changes nothing', async () => {
    const before = await store.listPeople(USER);
    for (const photoId of newPhotos.keys()) expect((await assignPhotoFaces(USER, photoId, deps)).joined.size).toBe(0);
    expect(await store.listPeople(USER)).toEqual(before);
  });

  it('a face the user rejected after it joined leaves and does not come back', async () => {
    const person = (await store.listPeople(USER)).find((p) => (p.provisionalFaceIds ?? []).length > 0)!;
    const face = person.provisionalFaceIds![0]!;
    await rejectFace(USER, face, { people: store, clock: base.clock });
    expect((await personOfFace()).get(face)).toBeUndefined();
    const photoId = (await store.listVectors(USER, calibration.modelId)).find((v) => v.faceId === face)!.photoId;
    await assignPhotoFaces(USER, photoId, deps);
    expect((await personOfFace()).get(face)).toBeUndefined();
  });
});
