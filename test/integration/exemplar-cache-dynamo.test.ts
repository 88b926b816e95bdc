import { readFileSync } from 'node:fs';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { readEngineConfig } from '#config/engine.ts';
import { dot } from '#core/pipeline/calibration.ts';
import type { PersonExemplars, VectorRecord } from '#core/ports/face-store.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

// Person exemplars on DynamoDB Local, as two Lambda containers see them: one container's cached
// copy is replaced as soon as a clustering run elsewhere writes other exemplars (the META stamp
// moves), a run that changes nothing writes nothing (the stamp stays), and the vectors of a real
// photo's faces come back through the int8 codec (cosine > 0.999).
const USER = 'u-cache';

describeWithData('exemplars cached per container, invalidated by the next clustering run', () => {
  let aws: LocalAws;
  const vectors: VectorRecord[] = [];

  beforeAll(async () => {
    aws = await startLocalAws({ name: 'exemplar-cache' });
    const analyzer = await createFaceAnalyzer(readEngineConfig());
    try {
      const photo = await analyzer.analyze(new Uint8Array(readFileSync(dataPath('group', 'bbt', 'bbt1.jpg'))));
      photo.faces.forEach((f, i) => {
        if (!f.embedding) return;
        vectors.push({
          userId: USER,
          faceId: `p1#${String(i).padStart(3, '0')}`,
          photoId: 'p1',
          modelId: f.embedding.modelId,
          modelVersion: f.embedding.modelVersion,
          vector: f.embedding.vector,
        });
      });
    } finally {
      await analyzer.dispose();
    }
  }, 300_000);
  afterAll(async () => aws?.stop());

  const stamp = async (): Promise<string | undefined> =>
    (
      await aws.dynamo.send(
        new GetItemCommand({ TableName: aws.table, Key: { PK: { S: `USER#${USER}` }, SK: { S: 'META' } } }),
      )
    ).Item?.exemplarStamp?.S;
  const idsOf = (e: readonly PersonExemplars[]): string[] => e.flatMap((p) => p.vectors.map((v) => v.faceId));

  it('a warm container sees the next run’s exemplars, and an unchanged run writes nothing', async () => {
    expect(vectors.length).toBeGreaterThanOrEqual(4);
    const modelId = vectors[0]!.modelId;
    const runner = new DynamoFaceStore(aws.dynamo, aws.table);
    const reader = new DynamoFaceStore(aws.dynamo, aws.table);
    await runner.replaceExemplars(USER, modelId, [{ personId: 'p', vectors: vectors.slice(0, 2) }]);
    expect(idsOf(await reader.listExemplars(USER, modelId))).toEqual(vectors.slice(0, 2).map((v) => v.faceId));

    await runner.replaceExemplars(USER, modelId, [{ personId: 'p', vectors: vectors.slice(2, 4) }]);
    const after = await reader.listExemplars(USER, modelId);
    expect(idsOf(after)).toEqual(vectors.slice(2, 4).map((v) => v.faceId));
    after[0]!.vectors.forEach((v, i) => expect(dot(v.vector, vectors[2 + i]!.vector)).toBeGreaterThan(0.999));

    const before = await stamp();
    await runner.replaceExemplars(USER, modelId, [{ personId: 'p', vectors: vectors.slice(2, 4) }]);
    expect(await stamp()).toBe(before);

    await runner.replaceExemplars(USER, modelId, []);
    expect(await reader.listExemplars(USER, modelId)).toEqual([]);
  });
});
