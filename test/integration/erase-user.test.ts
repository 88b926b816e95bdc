import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData } from '#test/helpers/data.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, BOB, alicePhotos, bobPhotos } from './setup/users.ts';

// DELETE /me erases every object (uploads, crops) and every table item (photos, faces, vectors,
// people, edits, the clustering marker) of the caller, on real S3, DynamoDB and SQS emulators, and
// touches nothing of another user. The upload removals it causes run through detect afterwards
// and must not bring anything back.
describeWithData('DELETE /me', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('erase-user');
    for (const photo of alicePhotos().slice(0, 7)) await p.upload(ALICE, photo.fileName, photo.bytes);
    for (const photo of bobPhotos().slice(0, 6)) await p.upload(BOB, photo.fileName, photo.bytes);
    expect(await p.settle()).toEqual([]);
    await p.clusterSchedule();
    expect(await p.settle()).toEqual([]);
  }, 600_000);
  afterAll(async () => {
    await p?.stop();
  });

  const objectsOf = async (userId: string): Promise<string[]> => {
    const keys: string[] = [];
    for (const prefix of [`uploads/${userId}/`, `faces/${userId}/`]) {
      const res = await p.aws.s3.send(new ListObjectsV2Command({ Bucket: p.aws.bucket, Prefix: prefix }));
      keys.push(...(res.Contents ?? []).map((o) => o.Key!));
    }
    return keys.sort();
  };
  const itemsOf = async (userId: string): Promise<string[]> => {
    const res = await p.aws.dynamo.send(
      new QueryCommand({
        TableName: p.aws.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: `USER#${userId}` } },
      }),
    );
    return (res.Items ?? []).map((i) => i.SK!.S!).sort();
  };

  it("leaves nothing of the caller and all of the other user's data", async () => {
    const people = (await p.api(ALICE, 'GET', '/people')).body.people as { personId: string }[];
    expect(people.length).toBeGreaterThanOrEqual(2);
    expect(
      (await p.api(ALICE, 'PATCH', '/people/{personId}', { personId: people[0]!.personId }, { name: 'Amy' })).status,
    ).toBe(200);
    const faces = (await p.api(ALICE, 'GET', '/people/{personId}/faces', { personId: people[1]!.personId })).body
      .faces as { faceId: string }[];
    expect((await p.api(ALICE, 'POST', '/faces/{faceId}/not-person', { faceId: faces[0]!.faceId })).status).toBe(200);
    const aliceItems = await itemsOf(ALICE);
    for (const kind of ['META', 'PHOTO#', 'FACE#', 'VEC#', 'PERSON#', 'FEDIT#'])
      expect(
        aliceItems.some((sk) => sk.startsWith(kind)),
        kind,
      ).toBe(true);
    const aliceObjects = await objectsOf(ALICE);
    const bobBefore = {
      items: await itemsOf(BOB),
      objects: await objectsOf(BOB),
      people: (await p.api(BOB, 'GET', '/people')).body,
    };
    expect(bobBefore.objects.length).toBeGreaterThan(6);

    const erased = await p.api(ALICE, 'DELETE', '/me');
    expect(erased.status).toBe(200);
    expect(erased.body.erased).toEqual({ objects: aliceObjects.length, items: aliceItems.length });
    // The upload removals reach detect (S3 → SQS), and a schedule runs: nothing may come back.
    expect(await p.settle()).toEqual([]);
    await p.clusterSchedule();
    expect(await p.settle()).toEqual([]);

    expect(await objectsOf(ALICE)).toEqual([]);
    expect(await itemsOf(ALICE)).toEqual([]);
    expect((await p.api(ALICE, 'GET', '/people')).body.people).toEqual([]);
    expect((await p.api(ALICE, 'GET', '/photos')).body.photos).toEqual([]);
    expect(await itemsOf(BOB)).toEqual(bobBefore.items);
    expect(await objectsOf(BOB)).toEqual(bobBefore.objects);
    const bobPeople = (await p.api(BOB, 'GET', '/people')).body as { people: { personId: string; coverUrl: string }[] };
    expect(bobPeople.people.map((x) => x.personId)).toEqual(
      (bobBefore.people as typeof bobPeople).people.map((x) => x.personId),
    );
  });
});
