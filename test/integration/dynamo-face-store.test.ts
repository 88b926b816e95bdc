import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { readEngineConfig } from '#config/engine.ts';
import type { FaceRecord, VectorRecord } from '#core/ports/face-store.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '#core/vision/analyzer.ts';
import { dataPath } from '#test/helpers/data.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

// The DynamoDB adapter on a real DynamoDB (Local) with engine output from real photos: vectors
// round-trip bit-exact, re-writing a photo converges, and every read is scoped to one user.
describe('DynamoFaceStore on DynamoDB Local', () => {
  let aws: LocalAws;
  let analyzer: FaceAnalyzer;
  let store: DynamoFaceStore;
  const faces: FaceRecord[] = [];
  const vectors: VectorRecord[] = [];

  beforeAll(async () => {
    aws = await startLocalAws({ name: 'ddb' });
    // float32 here (bit-exact round trip of the adapter); the default int8 codec and older items
    // are covered by vector-codec-dynamo.test.ts.
    store = new DynamoFaceStore(aws.dynamo, aws.table, undefined, 'f32');
    analyzer = await createFaceAnalyzer(readEngineConfig());
    const photo = await analyzer.analyze(new Uint8Array(readFileSync(dataPath('group', 'bbt', 'bbt1.jpg'))));
    photo.faces.forEach((f, i) => {
      const faceId = `p1#${String(i).padStart(3, '0')}`;
      faces.push({
        userId: 'alice',
        faceId,
        photoId: 'p1',
        box: f.box,
        score: f.score,
        landmarks: f.landmarks,
        quality: f.quality,
        cropKey: `faces/alice/p1/${i}.png`,
      });
      vectors.push({
        userId: 'alice',
        faceId,
        photoId: 'p1',
        modelId: f.embedding!.modelId,
        modelVersion: f.embedding!.modelVersion,
        vector: f.embedding!.vector,
      });
    });
  });
  afterAll(async () => {
    await analyzer?.dispose();
    await aws?.stop();
  });

  it('stores faces and vectors bit-exact, idempotently, scoped by user', async () => {
    expect(faces.length).toBeGreaterThan(1);
    await store.replaceFaces('alice', 'p1', faces);
    await store.putVectors(vectors);
    // A second delivery of the same photo writes the same keys.
    await store.replaceFaces('alice', 'p1', faces);
    await store.putVectors(vectors);

    const back = await store.listVectors('alice', vectors[0]!.modelId);
    expect(back).toHaveLength(vectors.length);
    for (const v of vectors) {
      const got = back.find((b) => b.faceId === v.faceId)!;
      expect(
        Buffer.from(got.vector.buffer).equals(Buffer.from(v.vector.buffer, v.vector.byteOffset, v.vector.byteLength)),
      ).toBe(true);
    }
    expect((await store.listFacesOfPhoto('alice', 'p1')).map((f) => f.faceId)).toEqual(faces.map((f) => f.faceId));
    expect(await store.listFaces('bob')).toEqual([]);
    expect(await store.listVectors('bob', vectors[0]!.modelId)).toEqual([]);

    // Fewer faces on re-processing: the dropped face loses its record and its vector.
    await store.replaceFaces('alice', 'p1', faces.slice(1));
    expect((await store.listFaces('alice')).map((f) => f.faceId)).toEqual(faces.slice(1).map((f) => f.faceId));
    expect((await store.listVectors('alice', vectors[0]!.modelId)).map((v) => v.faceId)).toEqual(
      vectors.slice(1).map((v) => v.faceId),
    );

    await store.deletePhoto('alice', 'p1');
    expect(await store.listFaces('alice')).toEqual([]);
    expect(await store.listVectors('alice', vectors[0]!.modelId)).toEqual([]);
  });
});
