import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import type { AnalyzedPhoto } from '#core/vision/types.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, readBytes } from './helpers.ts';

// Re-processing a photo yields the same faces in the same order (face ids are derived from the
// order), ordered top to bottom then left to right, with identical vectors.
describeWithData('deterministic face order', () => {
  let a: FaceAnalyzer;
  let b: FaceAnalyzer;
  beforeAll(async () => {
    [a, b] = await Promise.all([defaultAnalyzer(), defaultAnalyzer()]);
  });
  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
  });

  it('gives identical results for the same bytes, from two analyzers', async () => {
    const bytes = readBytes(dataPath('group', 'bbt', 'bbt4.jpg'));
    const first = await a.analyze(bytes);
    const second = await b.analyze(bytes);
    const again = await a.analyze(bytes);
    expect(first.faces.length).toBeGreaterThan(3);
    for (const other of [second, again]) {
      expect(other.faces.map((f) => f.box)).toEqual(first.faces.map((f) => f.box));
      expect(other.faces.map((f) => f.landmarks)).toEqual(first.faces.map((f) => f.landmarks));
      other.faces.forEach((f, i) =>
        expect(Array.from(f.embedding!.vector)).toEqual(Array.from(first.faces[i]!.embedding!.vector)),
      );
    }
    const tops = first.faces.map((f) => f.box[1]);
    expect(tops).toEqual([...tops].sort((x, y) => x - y));
  });

  it('gives the same results when photos are analysed concurrently', async () => {
    const files = ['bbt/bbt4.jpg', 'pascal/2007_007763.jpg', 'bbt/bbt3.jpg'].map((f) =>
      readBytes(dataPath('group', f)),
    );
    const sequential: AnalyzedPhoto[] = [];
    for (const bytes of files) sequential.push(await a.analyze(bytes));
    const concurrent = await Promise.all(files.map((bytes) => a.analyze(bytes)));
    concurrent.forEach((photo, i) => {
      expect(photo.faces.map((f) => f.box)).toEqual(sequential[i]!.faces.map((f) => f.box));
      photo.faces.forEach((f, j) =>
        expect(Array.from(f.embedding!.vector)).toEqual(Array.from(sequential[i]!.faces[j]!.embedding!.vector)),
      );
    });
  });
});
