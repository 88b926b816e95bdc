import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsWorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import { createApiRouter } from '#api/router.ts';
import { cropFromSheet, decodeCrop } from '#core/pipeline/crops.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createDetectHandler } from '../../functions/detect/handler.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, bobPhotos } from './setup/users.ts';

// Cost (issue 11): the cloud stores one crop sheet per photo (one S3 PUT), not one object per face.
// Each face's region of the sheet is that face's aligned crop (JPEG-close), and the API hands out
// the sheet's URL with the region (added field, and in the URL's fragment for the web app).
describe('crop sheets', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('crop-sheet');
  });
  afterAll(async () => p?.stop());

  it('stores one object per photo whose regions are the faces’ aligned crops', async () => {
    const photos = bobPhotos().slice(0, 4);
    for (const ph of photos) await p.upload(ALICE, ph.fileName, ph.bytes);
    const detect = createDetectHandler({
      ...p.runtime,
      analyzer: p.local.analyzer,
      embedQueue: new SqsWorkQueue(p.aws.sqs.client, p.aws.sqs.queues.embed.url),
      embedInline: true,
    });
    expect((await detect({ Records: await p.s3Events.drain() })).batchItemFailures).toEqual([]);

    const faces = await p.runtime.faces.listFaces(ALICE);
    const withFaces = new Set(faces.map((f) => f.photoId));
    expect(faces.length).toBeGreaterThan(withFaces.size); // some photo has several faces
    const objects = await p.runtime.blobs.list(`faces/${ALICE}/`);
    expect(objects).toHaveLength(withFaces.size);

    for (const ph of photos) {
      const analyzed = await p.local.analyzer.analyze(ph.bytes, { embed: false });
      const photo = (await p.runtime.faces.listPhotos(ALICE)).find((r) => r.sourceKey.endsWith(ph.fileName))!;
      const stored = (await p.runtime.faces.listFacesOfPhoto(ALICE, photo.photoId)).sort((a, b) =>
        a.faceId < b.faceId ? -1 : 1,
      );
      expect(stored).toHaveLength(analyzed.faces.length);
      for (const [i, face] of stored.entries()) {
        expect(face.cropRegion).toBeDefined();
        const sheet = await decodeCrop((await p.runtime.blobs.get(face.cropKey!))!);
        const cut = cropFromSheet(sheet, face.cropRegion);
        const want = analyzed.faces[i]!.crop;
        expect([cut.width, cut.height]).toEqual([want.width, want.height]);
        let diff = 0;
        for (let k = 0; k < want.data.length; k++) diff += Math.abs(cut.data[k]! - want.data[k]!);
        expect(diff / want.data.length).toBeLessThan(6); // JPEG q80 of the same pixels, not another face
      }
    }

    const route = createApiRouter({
      faces: p.runtime.faces,
      clock: p.runtime.clock,
      logger: silentLogger,
      corsOrigin: '*',
      cropUrl: async (key) => `signed:${key}`,
    });
    const some = faces[0]!;
    const out = JSON.parse(
      (await route({ method: 'GET', path: `/photos/${encodeURIComponent(some.photoId)}/faces`, userId: ALICE })).body,
    ) as { faces: { faceId: string; cropUrl: string; cropRegion: unknown }[] };
    const view = out.faces.find((f) => f.faceId === some.faceId)!;
    const r = some.cropRegion!;
    expect(view.cropUrl).toBe(
      `signed:${some.cropKey}#xywh=${r.x},${r.y},${r.width},${r.height}&sheet=${r.sheetWidth},${r.sheetHeight}`,
    );
    expect(view.cropRegion).toEqual(some.cropRegion);
  });
});
