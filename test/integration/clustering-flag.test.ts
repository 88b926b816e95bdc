import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

// The "needs clustering" flag: found through the sparse index (no scan), leased once per run, and
// cleared only by a run that saw the latest change.
describe('clustering flag on DynamoDB Local', () => {
  let aws: LocalAws;
  let store: DynamoFaceStore;

  beforeAll(async () => {
    aws = await startLocalAws({ name: 'flag' });
    store = new DynamoFaceStore(aws.dynamo, aws.table);
  });
  afterAll(async () => aws?.stop());

  it('lists flagged users, survives changes during a run, clears after a clean run', async () => {
    const users = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-6'];
    for (const u of users) await store.markNeedsClustering(u);
    expect(await store.listUsersNeedingClustering()).toEqual(users);

    expect(await store.claimClustering('u-1', 60_000)).toBe(true);
    expect(await store.claimClustering('u-1', 60_000)).toBe(false); // lease held: not enqueued twice
    expect(await store.claimClustering('nobody', 60_000)).toBe(false); // not flagged

    const v1 = await store.clusteringVersion('u-1');
    expect(v1).toBeTypeOf('number');
    await store.markNeedsClustering('u-1'); // new faces arrive while clustering runs
    expect(await store.finishClustering('u-1', v1!)).toBe(false);
    expect(await store.listUsersNeedingClustering()).toContain('u-1');
    expect(await store.claimClustering('u-1', 60_000)).toBe(true); // lease released for the next run

    const v2 = await store.clusteringVersion('u-1');
    expect(await store.finishClustering('u-1', v2!)).toBe(true);
    expect(await store.listUsersNeedingClustering()).toEqual(users.filter((u) => u !== 'u-1'));
    expect(await store.clusteringVersion('u-1')).toBeUndefined();
  });
});
