import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsWorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import { createDetectHandler } from '../../functions/detect/handler.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, BOB, bobPhotos } from './setup/users.ts';

// The stack runs detect with embedding in the same invocation (RANKFACE_EMBED_INLINE=1): one pass
// must store exactly the faces, crops and vectors that detect → embed job → embed stores, queue no
// embed job, and flag the user for clustering.
describe('detect with inline embedding', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('inline');
  });
  afterAll(async () => p?.stop());

  /** What a user's photos left in the stores, keyed by file name and face index (face ids embed the
   * photo id, which differs per user). */
  const stored = async (userId: string) => {
    const faces = p.runtime.faces;
    const photos = await faces.listPhotos(userId);
    const fileOf = new Map(photos.map((ph) => [ph.photoId, ph.sourceKey.split('/').pop()!]));
    const name = (faceId: string): string => `${fileOf.get(faceId.split('#')[0]!)}#${faceId.split('#')[1]}`;
    const byName = <T extends [string, ...unknown[]]>(rows: T[]): T[] => rows.sort((a, b) => a[0].localeCompare(b[0]));
    return {
      photos: byName(photos.map((ph) => [fileOf.get(ph.photoId)!, ph.status, ph.faceCount, ph.width, ph.height])),
      // The quality without the embedding norm: only the one pass can record it (as the CLI does).
      faces: byName(
        (await faces.listFaces(userId)).map(
          ({ faceId, box, landmarks, quality: { embeddingNorm: _n, ...quality } }) => [
            name(faceId),
            box,
            landmarks,
            quality,
          ],
        ),
      ),
      norms: (await faces.listFaces(userId)).filter((f) => f.quality?.embeddingNorm !== undefined).length,
      vectors: byName(
        (await faces.listVectors(userId, p.local.analyzer.embedderId)).map((v) => [
          name(v.faceId),
          Buffer.from(v.vector.buffer, v.vector.byteOffset, v.vector.byteLength).toString('base64'),
        ]),
      ),
      crops: (await p.runtime.blobs.list(`faces/${userId}/`)).length,
    };
  };

  it('stores the same faces and vectors as the two-stage path, with no embed job', async () => {
    const photos = bobPhotos().slice(0, 4);
    for (const ph of photos) await p.upload(ALICE, ph.fileName, ph.bytes);
    expect((await p.detect(await p.s3Events.drain())).batchItemFailures).toEqual([]);
    expect((await p.embed(await p.embedQueue.drain())).batchItemFailures).toEqual([]);

    const inline = createDetectHandler({
      ...p.runtime,
      analyzer: p.local.analyzer,
      embedQueue: new SqsWorkQueue(p.aws.sqs.client, p.aws.sqs.queues.embed.url),
      embedInline: true,
    });
    for (const ph of photos) await p.upload(BOB, ph.fileName, ph.bytes);
    expect((await inline({ Records: await p.s3Events.drain() })).batchItemFailures).toEqual([]);
    expect(await p.embedQueue.drain()).toEqual([]);

    const split = await stored(ALICE);
    const onePass = await stored(BOB);
    expect(onePass.photos.every(([, status]) => status === 'embedded')).toBe(true);
    expect(onePass.vectors).toHaveLength(onePass.faces.length);
    expect(onePass.faces.length).toBeGreaterThanOrEqual(4);
    expect(onePass.norms).toBe(onePass.faces.length);
    expect({ ...onePass, norms: 0 }).toEqual({ ...split, norms: 0 });
    // Both users wait for clustering: Alice flagged by the embed stage, Bob by the one pass.
    expect((await p.clusterSchedule()).enqueued).toBe(2);
  });
});
