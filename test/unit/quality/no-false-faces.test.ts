import { beforeAll, expect, it } from 'vitest';
import type { Box } from '#core/types.ts';
import { iou } from '#core/vision/nms.ts';
import { dataPath, describeWithData, hasData } from '#test/helpers/data.ts';
import { boxOf, defaultAnalyzer, groupAnnotations, readBytes } from '../vision/helpers.ts';

// With the false-detection filter in the engine: on every group photo whose face count is exact,
// no more faces than annotated (no sleeve, hand or logo counted as a face), and every hand-drawn
// PASCAL box is still found (the filter drops no real face there).
describeWithData('no false faces on annotated group photos', () => {
  const annotations = hasData ? groupAnnotations() : {};
  const exact = Object.entries(annotations).flatMap(([file, a]) => {
    const n = Array.isArray(a.faces) ? a.faces.length : typeof a.faces === 'number' ? a.faces : undefined;
    return n === undefined ? [] : [[file, n] as const];
  });
  const found = new Map<string, Box[]>();

  beforeAll(async () => {
    const analyzer = await defaultAnalyzer();
    try {
      for (const [file] of exact)
        found.set(
          file,
          (await analyzer.analyze(readBytes(dataPath('group', file)), { embed: false })).faces.map((f) => f.box),
        );
    } finally {
      await analyzer.dispose();
    }
  }, 300_000);

  it.each(exact)('%s: at most %i faces', (file, n) => {
    expect(found.get(file)!.length).toBeLessThanOrEqual(n);
  });

  it('finds every hand-drawn PASCAL box (IoU >= 0.4)', () => {
    const pascal = Object.entries(annotations).filter(([file]) => file.startsWith('pascal/'));
    expect(pascal.length).toBeGreaterThan(0);
    for (const [file, a] of pascal) {
      for (const t of a.faces as { x: number; y: number; w: number; h: number }[]) {
        expect(Math.max(0, ...found.get(file)!.map((b) => iou(b, boxOf(t))))).toBeGreaterThanOrEqual(0.4);
      }
    }
  });
});
