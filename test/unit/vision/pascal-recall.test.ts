import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { iou } from '#core/vision/nms.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { boxOf, defaultAnalyzer, groupAnnotations, readBytes } from './helpers.ts';

// Hand-drawn PASCAL boxes (dlib's training.xml): at least 90% are matched by a detection with IoU ≥ 0.4.
describeWithData('recall of hand-drawn PASCAL face boxes', () => {
  let analyzer: FaceAnalyzer;
  beforeAll(async () => {
    analyzer = await defaultAnalyzer();
  });
  afterAll(async () => {
    await analyzer?.dispose();
  });

  it('finds ≥ 90% of the boxes at IoU ≥ 0.4, in original pixel coordinates', async () => {
    let total = 0;
    let matched = 0;
    for (const [file, a] of Object.entries(groupAnnotations())) {
      if (!file.startsWith('pascal/') || !Array.isArray(a.faces)) continue;
      const photo = await analyzer.analyze(readBytes(dataPath('group', file)), { embed: false });
      for (const truth of a.faces) {
        total++;
        if (photo.faces.some((f) => iou(f.box, boxOf(truth)) >= 0.4)) matched++;
      }
    }
    expect(total).toBeGreaterThan(10);
    expect(matched / total).toBeGreaterThanOrEqual(0.9);
  });
});
