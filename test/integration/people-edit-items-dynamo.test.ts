import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import type { FaceRecord, PersonRecord } from '#core/ports/face-store.ts';
import { mergePeople, moveFace } from '#core/pipeline/people-edits.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

// Edits are person-level state, not pair lists, and membership is one small item pair per face
// (docs/data-model.md): merging a 5,000-face person into another writes the version-guarded part
// (two heads and an alias) in one transaction and moves only the merged-away person's memberships
// (two items per face, batched; the other person's faces are not rewritten); moving one face out
// of it writes O(1) items. Counted on the wire to DynamoDB Local.
describe('edit write cost on DynamoDB', () => {
  let aws: LocalAws;
  let written = 0;
  let transactional = 0;
  let store: DynamoFaceStore;

  beforeAll(async () => {
    aws = await startLocalAws({ name: 'edit-items' });
    // Count every item a request writes: puts, deletes and updates, single, batched or transactional.
    const counting = {
      send: (command: { input: Record<string, unknown> }) => {
        const input = command.input as {
          TransactItems?: unknown[];
          RequestItems?: Record<string, unknown[]>;
          Item?: unknown;
          UpdateExpression?: unknown;
          Key?: unknown;
        };
        if (input.TransactItems) {
          written += input.TransactItems.length;
          transactional += input.TransactItems.length;
        } else if (input.RequestItems)
          written += Object.values(input.RequestItems).reduce((n, list) => n + list.length, 0);
        else if (input.Item || input.UpdateExpression) written += 1;
        return aws.dynamo.send(command as never);
      },
    } as unknown as DynamoDBClient;
    store = new DynamoFaceStore(counting, aws.table);
  });
  afterAll(async () => {
    await aws?.stop();
  });

  const person = (personId: string, prefix: string, n: number): PersonRecord => {
    const faceIds = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}#000`);
    return { userId: 'big', personId, faceIds, coverFaceId: faceIds[0]!, cohesion: 0.7, updatedAt: 1 };
  };
  const deps = { people: {} as DynamoFaceStore, clock: { now: () => Date.now() } };

  it('merges a 5,000-face person (O(1) guarded writes) and moves a face out of it with O(1) item writes', async () => {
    await store.replacePeople('big', [person('huge', 'h', 5000), person('small', 's', 10)]);
    const face: FaceRecord = {
      userId: 'big',
      photoId: 'h000001',
      faceId: 'h000001#000',
      box: [0, 0, 50, 50],
      score: 0.9,
      landmarks: [
        [1, 1],
        [2, 1],
        [1, 2],
        [1, 3],
        [2, 3],
      ],
      quality: { sizePx: 50, sharpness: 1, yaw: 0, pitch: 0, roll: 0 },
    };
    await store.replaceFaces('big', 'h000001', [face]);

    written = 0;
    transactional = 0;
    const merged = await mergePeople('big', 'huge', 'small', { ...deps, people: store });
    expect(merged.faceIds).toHaveLength(5010);
    // Past TransactWriteItems' 100 items: the guarded heads and the alias alone are transactional.
    expect(transactional).toBe(3);
    // 'huge''s 5,000 memberships move (old person side deleted, new person side and face side put).
    expect(written).toBe(3 + 3 * 5000);
    const stored = (await store.getPerson('big', 'small'))!;
    expect(stored.faceIds).toHaveLength(5010);
    expect(stored.confirmedFaceIds).toHaveLength(5010);
    expect(await store.getPerson('big', 'huge')).toBeUndefined();
    expect((await store.personOfFace('big', 'h004999#000'))?.personId).toBe('small');

    await store.replacePeople('big', [person('huge', 'h', 5000), person('small', 's', 10)]);
    written = 0;
    await moveFace('big', face.faceId, 'small', { ...deps, people: store });
    // Two heads, the face's edit, and its membership: one person side out, one in, the face side.
    expect(written).toBeLessThanOrEqual(6);
    expect((await store.getPerson('big', 'huge'))!.faceIds).toHaveLength(4999);
    expect((await store.getPerson('big', 'small'))!.faceIds).toContain(face.faceId);
  });
});
