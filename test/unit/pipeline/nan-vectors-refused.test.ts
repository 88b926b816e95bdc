import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { readEngineConfig } from '#config/engine.ts';
import { systemClock } from '#core/ports/clock.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { processPhoto } from '#core/pipeline/index.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '#core/vision/analyzer.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { tempStore } from '#test/unit/local/fixtures.ts';

/** Issue 13, item 5: a vector with a NaN (what damaged weights give) is refused, never stored: the
 * photo gets a typed 'bad-vector' error and no faces; the same photo with sound vectors is stored. */
describeWithData('non-finite vectors are refused', () => {
  const { store, dir, cleanup } = tempStore();
  let analyzer: FaceAnalyzer | undefined;
  afterAll(async () => {
    await analyzer?.dispose();
    cleanup();
  });

  it('records bad-vector instead of storing a NaN vector', async () => {
    analyzer = await createFaceAnalyzer(readEngineConfig());
    const real = analyzer;
    // The real engine on a real photo, with one value of the first vector turned into NaN.
    const damaged = {
      embedderId: real.embedderId,
      embedCrops: real.embedCrops.bind(real),
      analyze: async (bytes: Uint8Array) => {
        const photo = await real.analyze(bytes, { embed: true });
        const [first, ...rest] = photo.faces;
        const vector = Float32Array.from(first!.embedding!.vector);
        vector[3] = Number.NaN;
        return { ...photo, faces: [{ ...first!, embedding: { ...first!.embedding!, vector } }, ...rest] };
      },
    };
    const deps = { blobs: new FsBlobStore(join(dir, 'blobs')), faces: store, clock: systemClock, logger: silentLogger };
    const bytes = new Uint8Array(readFileSync(dataPath('group', 'bbt', 'bbt4.jpg')));
    const bad = await processPhoto(
      { userId: 'u', photoId: 'p1', sourceKey: 'a.jpg', bytes },
      { ...deps, analyzer: damaged },
    );
    expect(bad.status).toBe('error');
    expect(bad.error?.code).toBe('bad-vector');
    expect(await store.listVectors('u', real.embedderId)).toHaveLength(0);
    const good = await processPhoto(
      { userId: 'u', photoId: 'p2', sourceKey: 'b.jpg', bytes },
      { ...deps, analyzer: real },
    );
    expect(good.status).toBe('embedded');
    expect((await store.listVectors('u', real.embedderId)).length).toBe(good.faceIds.length);
  });
});
