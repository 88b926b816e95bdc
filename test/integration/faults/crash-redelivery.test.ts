import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainStage, faultVisibility, waitForRedelivery } from '../setup/faults.ts';
import { startPipeline, type Pipeline } from '../setup/pipeline.ts';
import { ALICE, bobPhotos } from '../setup/users.ts';

// A Lambda that dies mid-batch (timeout, out of memory, runtime crash) reports nothing: the event
// source mapping deletes no message, and SQS hands the whole batch out again once its visibility
// timeout passes, including the message whose work was already written. Real SQS (fauxqs) with the
// stack's receive count and DLQ; only the visibility timeout is shortened.
describe('redelivery after a handler crash mid-batch', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('fault-crash', { visibilityTimeoutSeconds: faultVisibility });
  });
  afterAll(async () => p?.stop());

  it('redelivers the whole batch and ends with every photo processed once', async () => {
    const photos = bobPhotos().slice(0, 4);
    for (const ph of photos) await p.upload(ALICE, ph.fileName, ph.bytes);

    // The first record is fully processed, then the process dies before answering.
    const crashAfterFirst = async (e: SQSEvent) => {
      await p.local.handlers.detect({ Records: e.Records.slice(0, 1) });
      throw new Error('Runtime exited with error: signal: killed');
    };
    await expect(p.local.poll('detect', 0, crashAfterFirst)).rejects.toThrow(/killed/);
    const written = await p.runtime.faces.listPhotos(ALICE);
    expect(written).toHaveLength(1);
    const firstFaces = (await p.runtime.faces.listFacesOfPhoto(ALICE, written[0]!.photoId)).map((f) => f.faceId).sort();
    expect(firstFaces.length).toBeGreaterThan(0);

    // Nothing visible until the timeout passes; then all four come back, on their second receive.
    expect((await p.local.poll('detect')).received).toBe(0);
    await waitForRedelivery();
    const redelivered = await p.local.poll('detect');
    expect(redelivered).toEqual({ received: photos.length, failures: [] });
    expect(await drainStage(p, 'detect')).toEqual([]);
    expect(await p.settle()).toEqual([]);

    const after = await p.runtime.faces.listPhotos(ALICE);
    expect(after.map((r) => r.status)).toEqual(photos.map(() => 'embedded'));
    // The photo processed twice has exactly the faces of its first processing.
    expect((await p.runtime.faces.listFacesOfPhoto(ALICE, written[0]!.photoId)).map((f) => f.faceId).sort()).toEqual(
      firstFaces,
    );
    const faces = await p.runtime.faces.listFaces(ALICE);
    expect(await p.runtime.faces.listVectors(ALICE, p.local.analyzer.embedderId)).toHaveLength(faces.length);
    expect(await p.local.depth('detect', 'dlq')).toBe(0);
  });
});
