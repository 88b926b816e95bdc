import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { createTableInput } from '#adapters/aws/table-schema.ts';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { calibrationFor } from '#config/calibration.ts';
import { readEngineConfig } from '#config/engine.ts';
import { assignPhotoFaces, chooseJoins } from '#core/pipeline/assign-new-faces.ts';
import { storeAnalyzedPhoto } from '#core/pipeline/detect-photo.ts';
import { EXEMPLARS_PER_PERSON, exemplarsOfPeople, matchToPeople } from '#core/pipeline/person-match.ts';
import type { FaceStore, PersonRecord } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from '../unit/vision/helpers.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

// In the cloud a photo's incremental assignment reads each person's exemplars (≤ 16 vectors, written
// by the clustering run), never every vector or edit of the user: on DynamoDB Local with real photos
// (lfw-120: 18 of Abdullah Gul's 19 photos make a person larger than 16 faces, 11 of Adrien Brody's
// another), the held-out photo of each joins the person the exact rule (all members' vectors) picks,
// through a store whose full reads (every vector, edit or person) throw.
const USER = 'u-exemplars';
const IDENTITIES = ['Abdullah_Gul', 'Adrien_Brody'];

describeWithData('incremental assignment through exemplars (DynamoDB Local)', () => {
  let aws: LocalAws;
  let store: DynamoFaceStore;
  const dir = mkdtempSync(join(tmpdir(), 'rankface-exemplars-'));
  let now = 1_000;
  const clock = { now: () => ++now };
  const calibration = calibrationFor(readEngineConfig({}).embedder)!;
  /** Held-out photo id → its largest face and identity. */
  const heldOut = new Map<string, { faceId: string; identity: string }>();
  const people: PersonRecord[] = [];

  beforeAll(async () => {
    aws = await startLocalAws({ name: 'assign-exemplars' });
    await aws.dynamo.send(new CreateTableCommand(createTableInput(`${aws.table}-ex`)));
    store = new DynamoFaceStore(aws.dynamo, `${aws.table}-ex`, clock);
    const base = { blobs: new FsBlobStore(join(dir, 'blobs')), faces: store, clock, logger: silentLogger };
    const analyzer = await defaultAnalyzer();
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
          if (i < files.length - 1) members.push(out.faceIds[largest.j]!);
          else heldOut.set(photoId, { faceId: out.faceIds[largest.j]!, identity });
        }
        members.sort();
        people.push({
          userId: USER,
          personId: `p-${identity}`,
          faceIds: members,
          coverFaceId: members[0]!,
          cohesion: 1,
          updatedAt: 1,
        });
      }
    } finally {
      await analyzer.dispose();
    }
    // What the clustering run writes: the people, then their exemplars.
    await store.replacePeople(USER, people);
    const vectors = await store.listVectors(USER, calibration.modelId, calibration.modelVersion);
    const known = new Set(people.flatMap((p) => p.faceIds));
    await store.replaceExemplars(
      USER,
      calibration.modelId,
      exemplarsOfPeople(
        people,
        vectors.filter((v) => known.has(v.faceId)),
      ),
    );
  }, 600_000);
  afterAll(async () => {
    await aws?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new photo joins the person the exact rule picks, reading exemplars instead of every vector', async () => {
    const exemplars = await store.listExemplars(USER, calibration.modelId);
    const gul = exemplars.find((e) => e.personId === 'p-Abdullah_Gul')!;
    const gulMembers = new Set(people.find((p) => p.personId === 'p-Abdullah_Gul')!.faceIds);
    expect(gulMembers.size).toBeGreaterThan(EXEMPLARS_PER_PERSON);
    expect(gul.vectors).toHaveLength(EXEMPLARS_PER_PERSON);
    for (const v of gul.vectors) expect(gulMembers.has(v.faceId)).toBe(true);

    // The exact rule's decisions, from every vector, before anything joins.
    const vectors = await store.listVectors(USER, calibration.modelId, calibration.modelVersion);
    const exact = new Map<string, string | undefined>();
    for (const { faceId } of heldOut.values()) {
      const matches = matchToPeople({ people, vectors, faceEdits: [], aliases: [] }, new Set([faceId]), calibration);
      const photoOf = new Map(vectors.map((v) => [v.faceId, v.photoId]));
      exact.set(faceId, chooseJoins(matches, photoOf, calibration.joinThreshold).get(faceId));
    }
    const fullReadsRefused: FaceStore = Object.assign(Object.create(store) as DynamoFaceStore, {
      listVectors: () => Promise.reject(new Error('assignment read every vector')),
      listFaceEdits: () => Promise.reject(new Error('assignment read every edit')),
      listPeople: () => Promise.reject(new Error('assignment read every person')),
      listPersonHeads: () => Promise.reject(new Error('assignment read every person')),
    });
    for (const [photoId, { faceId, identity }] of heldOut) {
      const outcome = await assignPhotoFaces(USER, photoId, {
        faces: fullReadsRefused,
        clock,
        logger: silentLogger,
        calibration,
      });
      expect(exact.get(faceId)).toBe(`p-${identity}`);
      expect(outcome.joined.get(faceId)).toBe(exact.get(faceId));
      expect((await store.getPerson(USER, `p-${identity}`))!.provisionalFaceIds).toContain(faceId);
    }
  });
});
