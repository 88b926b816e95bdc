import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { cluster } from '#core/cluster/index.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { CLUSTER_MAX_FAILURES, CLUSTER_RETRY_BACKOFF_MS, runClusterJob } from '../../functions/cluster/run-job.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

class ManualClock implements Clock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
}
const recordingLogger = (errors: Record<string, unknown>[]): Logger => ({
  debug() {},
  info() {},
  warn() {},
  error: (_m, f) => void errors.push(f ?? {}),
});

// The cluster job on DynamoDB Local: a failing run backs off (the schedule cannot claim the user
// until the back-off passes, doubling each time), and after CLUSTER_MAX_FAILURES it gives up,
// reported by an error log, and the user leaves the pending index; users above the face limit are
// handed to the task starter instead of clustered here.
describe('cluster job: back-off, give-up, large-user hand-off', () => {
  let aws: LocalAws;
  let store: DynamoFaceStore;
  const clock = new ManualClock();
  beforeAll(async () => {
    aws = await startLocalAws({ name: 'backoff' });
    store = new DynamoFaceStore(aws.dynamo, aws.table, clock);
  });
  afterAll(async () => aws?.stop());

  it('backs off after each failure and gives up (reported, unflagged) after the last', async () => {
    const errors: Record<string, unknown>[] = [];
    const failing = {
      faces: store,
      clock,
      logger: recordingLogger(errors),
      modelId: 'm',
      cluster: () => {
        throw new Error('out of memory');
      },
    };
    await store.markNeedsClustering('u1');
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= CLUSTER_MAX_FAILURES; attempt++) {
      expect(await store.claimClustering('u1', 60_000)).toBe(true);
      outcomes.push(await runClusterJob('u1', failing));
      if (attempt < CLUSTER_MAX_FAILURES) {
        const backoff = CLUSTER_RETRY_BACKOFF_MS * 2 ** (attempt - 1);
        clock.t += backoff - 1;
        expect(await store.claimClustering('u1', 60_000)).toBe(false); // still backing off
        clock.t += 2;
      }
    }
    expect(outcomes).toEqual([...Array(CLUSTER_MAX_FAILURES - 1).fill('failed'), 'gave-up']);
    expect(errors.at(-1)).toMatchObject({ code: 'clustering-gave-up', userId: 'u1', failures: CLUSTER_MAX_FAILURES });
    expect(await store.listUsersNeedingClustering()).not.toContain('u1');
    // New faces flag the user again, with a fresh count.
    await store.markNeedsClustering('u1');
    expect(await store.claimClustering('u1', 60_000)).toBe(true);
    expect(await runClusterJob('u1', failing)).toBe('failed');
  });

  it('hands a user above the face limit to the task starter and holds the lease for it', async () => {
    const set = syntheticFaces({ faces: 5, modelId: 'm', seed: 3 });
    await store.putVectors(
      set.faces.map((f, i) => ({
        userId: 'big',
        faceId: `a${i}#000`,
        photoId: `a${i}`,
        modelId: 'm',
        modelVersion: '1',
        vector: f.vector,
      })),
    );
    await store.markNeedsClustering('big');
    expect(await store.claimClustering('big', 1000)).toBe(true);
    const started: [string, number][] = [];
    const deps = {
      faces: store,
      clock,
      logger: recordingLogger([]),
      modelId: 'm',
      cluster: (f: Parameters<typeof cluster>[0]) => cluster(f),
    };
    const largeUsers = {
      faceLimit: 4,
      leaseMs: 3_600_000,
      start: async (u: string, v: number) => (started.push([u, v]), 'arn:task/1'),
    };
    expect(await runClusterJob('big', { ...deps, largeUsers })).toBe('handed-to-task');
    expect(started).toEqual([['big', 1]]);
    clock.t += 10_000; // the worker's own lease (1 s) is long gone; the task's holds
    expect(await store.claimClustering('big', 1000)).toBe(false);
    // At the limit it stays on Lambda and clusters.
    expect(await runClusterJob('big', { ...deps, largeUsers: { ...largeUsers, faceLimit: 5 } })).toBe('done');
    expect(started).toHaveLength(1);
  });
});
