import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectWithFaults, drainStage, faultVisibility, MAX_RECEIVES, waitForRedelivery } from '../setup/faults.ts';
import { startPipeline, type Pipeline } from '../setup/pipeline.ts';
import { ALICE, bobPhotos } from '../setup/users.ts';

// A message that fails on every delivery must not block its queue or be retried forever: after the
// stack's maxReceiveCount receives SQS moves it to the stage's dead-letter queue (where the alarm
// sees it), and every other message of its batches is processed.
describe('poison message', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('fault-poison', { visibilityTimeoutSeconds: faultVisibility });
  });
  afterAll(async () => p?.stop());

  it('ends in the dead-letter queue after maxReceiveCount receives', async () => {
    const photos = bobPhotos().slice(0, 3);
    const keys = [];
    for (const ph of photos) keys.push(await p.upload(ALICE, ph.fileName, ph.bytes));
    const poison = keys[1]!;
    const handler = detectWithFaults(p, new Map([[poison, Infinity]]));

    const failuresPerRound: number[] = [];
    for (let round = 0; round <= MAX_RECEIVES + 1 && (await p.local.depth('detect')) > 0; round++) {
      if (round > 0) await waitForRedelivery();
      failuresPerRound.push((await drainStage(p, 'detect', handler)).length);
    }
    // Delivered and failed maxReceiveCount times; the receive after that moves it to the DLQ.
    expect(failuresPerRound).toEqual([...Array.from({ length: MAX_RECEIVES }, () => 1), 0]);
    expect(await p.local.depth('detect')).toBe(0);

    const { client, queues } = p.aws.sqs;
    const dead = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queues.detect.dlqUrl, MaxNumberOfMessages: 10 }),
    );
    expect(dead.Messages ?? []).toHaveLength(1);
    const body = JSON.parse(dead.Messages![0]!.Body!) as { Records: { s3: { object: { key: string } } }[] };
    expect(decodeURIComponent(body.Records[0]!.s3.object.key.replace(/\+/g, ' '))).toBe(poison);

    expect(await p.settle()).toEqual([]);
    const done = await p.runtime.faces.listPhotos(ALICE);
    expect(done.map((r) => r.sourceKey).sort()).toEqual(keys.filter((k) => k !== poison).sort());
    expect(done.every((r) => r.status === 'embedded')).toBe(true);
  });
});
