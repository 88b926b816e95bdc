import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, sqsRecordOf, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

// Issue 13 item 10: an event key with a malformed percent-encoding (`%E0%A4%A`) names no upload;
// it is rejected and logged, never retried (it would be a poison message bound for the DLQ), and
// the other events of its batch are processed.
describe('event key with a malformed percent-encoding', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('malformed-key');
  });
  afterAll(async () => p?.stop());

  it('is rejected without a batch failure while the good event of the batch is processed', async () => {
    const good = await p.upload(BOB, 'good.jpg', bobPhotos()[0]!.bytes);
    const records = await p.s3Events.drain();
    const bad = (eventName: string) =>
      sqsRecordOf({
        Records: [
          {
            eventName,
            eventSource: 'aws:s3',
            s3: { bucket: { name: p.aws.bucket }, object: { key: `uploads/${BOB}/bad%E0%A4%A.jpg` } },
          },
        ],
      });
    const res = await p.detect([bad('ObjectCreated:Put'), ...records, bad('ObjectRemoved:Delete')]);
    expect(res.batchItemFailures).toEqual([]);
    expect(await p.settle()).toEqual([]);
    const photos = await p.runtime.faces.listPhotos(BOB);
    expect(photos.map((x) => [x.sourceKey, x.status])).toEqual([[good, 'embedded']]);
  });
});
