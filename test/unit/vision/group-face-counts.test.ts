import { beforeAll, expect, it } from 'vitest';
import { dataPath, describeWithData, hasData } from '#test/helpers/data.ts';
import { defaultAnalyzer, groupAnnotations, readBytes } from './helpers.ts';

// Group photos: the number of faces found is within ±10% of the annotated count (at least ±1 face).
// Counts marked approximate (`faces_approx`: dense crowds with tiny, occluded background faces)
// get ±25% per photo; all photos together must still be within ±10%.
describeWithData('face counts on group photos', () => {
  const annotations = hasData ? groupAnnotations() : {};
  const counted = Object.entries(annotations).flatMap(([file, a]) => {
    const n = Array.isArray(a.faces)
      ? a.faces.length
      : typeof a.faces === 'number'
        ? a.faces
        : (a.faces_approx ?? a.faces_labelled);
    return n === undefined ? [] : [[file, n, a.faces_approx !== undefined ? 0.25 : 0.1] as const];
  });
  const found = new Map<string, number>();

  beforeAll(async () => {
    const analyzer = await defaultAnalyzer();
    try {
      for (const [file] of counted)
        found.set(file, (await analyzer.analyze(readBytes(dataPath('group', file)), { embed: false })).faces.length);
    } finally {
      await analyzer.dispose();
    }
  });

  it.each(counted)('%s has about %i faces', (file, expected, share) => {
    const tolerance = Math.max(1, Math.round(expected * share));
    expect(Math.abs(found.get(file)! - expected)).toBeLessThanOrEqual(tolerance);
  });

  it('is within ±10% over all annotated photos together', () => {
    const expected = counted.reduce((s, [, n]) => s + n, 0);
    const total = counted.reduce((s, [file]) => s + found.get(file)!, 0);
    expect(Math.abs(total - expected) / expected).toBeLessThanOrEqual(0.1);
  });
});
