import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Box } from '#core/types.ts';
import { iou } from '#core/vision/nms.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { hostileCases } from '#test/helpers/hostile-corpus.ts';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, BOB } from './setup/users.ts';

/** Issue 13, hostile-input suite (cloud): the generated corpus without the special files (S3 holds
 * bytes only) uploaded in one batch through the real handlers on the emulators. Each upload ends
 * with a recorded typed error or the faces its source photo has when uploaded alone (by another
 * user, first); no message fails or is retried. */
describeWithData('hostile uploads through the detect handler', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('hostile');
  });
  afterAll(async () => p?.stop());

  const boxesOf = async (userId: string, key: string): Promise<Box[]> =>
    (await p.runtime.faces.listFacesOfPhoto(userId, photoIdOfKey(key))).map((f) => f.box);

  it('records a typed error or the right faces for each upload, other photos unaffected', async () => {
    const cases = hostileCases(false);
    const bytesOf = new Map(await Promise.all(cases.map(async (c) => [c.file, await c.bytes!()] as const)));
    // The two source photos alone, as another user: what "unaffected" means.
    const sourceKeys = {
      group: await p.upload(ALICE, 'group.jpg', bytesOf.get('group.jpg')!),
      face: await p.upload(ALICE, 'face.jpg', bytesOf.get('face.jpg')!),
    };
    expect(await p.settle()).toEqual([]);
    const expected = { group: await boxesOf(ALICE, sourceKeys.group), face: await boxesOf(ALICE, sourceKeys.face) };
    const size = {
      group: await p.runtime.faces.getPhoto(ALICE, photoIdOfKey(sourceKeys.group)),
      face: await p.runtime.faces.getPhoto(ALICE, photoIdOfKey(sourceKeys.face)),
    };
    expect(expected.group.length).toBeGreaterThanOrEqual(6);
    expect(expected.face.length).toBeGreaterThanOrEqual(1);

    const keys = new Map<string, string>();
    for (const c of cases) keys.set(c.file, await p.upload(BOB, c.file, bytesOf.get(c.file)!));
    expect(await p.settle()).toEqual([]);

    for (const c of cases) {
      const key = keys.get(c.file)!;
      const photo = await p.runtime.faces.getPhoto(BOB, photoIdOfKey(key));
      const e = c.expect;
      if ('refused' in e || ('refusedOrNoFaces' in e && photo?.status === 'error')) {
        expect(photo?.status, c.file).toBe('error');
        expect('refused' in e ? e.refused : e.refusedOrNoFaces, `${c.file}: code`).toContain(photo?.error?.code);
        expect(photo?.faceCount, c.file).toBe(0);
      } else if ('refusedOrNoFaces' in e) {
        expect(photo?.faceCount, c.file).toBe(0);
      } else {
        const source = 'minFaces' in e ? 'group' : 'face';
        expect(photo?.status, c.file).toBe('embedded');
        expect([photo?.width, photo?.height], `${c.file}: upright size`).toEqual([
          size[source]?.width,
          size[source]?.height,
        ]);
        const found = await boxesOf(BOB, key);
        expect(found.length, `${c.file}: faces`).toBe(expected[source].length);
        const sameBytes = c.file === `${source}.jpg`;
        for (const box of expected[source])
          expect(Math.max(...found.map((b) => iou(b, box))), c.file).toBeGreaterThan(sameBytes ? 0.95 : 0.6);
      }
    }
    expect((await p.runtime.faces.listPhotos(BOB)).length).toBe(cases.length);
  }, 240_000);
});
