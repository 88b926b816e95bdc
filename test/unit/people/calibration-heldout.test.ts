import { expect, it } from 'vitest';
import { calibrationFor } from '#config/calibration.ts';
import { readEngineConfig } from '#config/engine.ts';
import { scoreCalibration, type Example } from '#core/metrics/calibration.ts';
import { dot } from '#core/pipeline/calibration.ts';
import { indexOfFaceNearestCentre } from '#core/vision/select.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from '../vision/helpers.ts';

// The shipped P(same) curve of the default embedder (models/calibration.json) is calibrated on
// photos it was not fitted on: the odd-numbered identities of lfw-df-dev (the fit used the even
// ones, lfw-120 and bbt). Held-out people with two or more photos, every pair, classes weighted
// equally: expected calibration error ≤ 0.03, and P(same) ranks same above different pairs.
describeWithData('P(same) calibration on held-out lfw-df-dev identities', () => {
  it('has ECE ≤ 0.03 for face↔face pairs of the default embedder', async () => {
    const modelId = readEngineConfig({}).embedder;
    const calibration = calibrationFor(modelId);
    expect(calibration?.modelId).toBe(modelId);
    const files = labelledFiles('lfw-df-dev');
    const identities = [...new Set(files.map(([id]) => id))].sort();
    const heldOut = new Set(identities.filter((_, i) => i % 2 === 1));
    const count = new Map<string, number>();
    for (const [id] of files) if (heldOut.has(id)) count.set(id, (count.get(id) ?? 0) + 1);
    const analyzer = await defaultAnalyzer();
    const faces: { identity: string; vector: Float32Array }[] = [];
    try {
      for (const [id, file] of files) {
        if ((count.get(id) ?? 0) < 2) continue;
        const photo = await analyzer.analyze(readBytes(file));
        const face = photo.faces[indexOfFaceNearestCentre(photo.faces, photo.width, photo.height)];
        if (face?.embedding) faces.push({ identity: id, vector: face.embedding.vector });
      }
    } finally {
      await analyzer.dispose();
    }
    const pairs: Example[] = [];
    for (let i = 0; i < faces.length; i++)
      for (let j = i + 1; j < faces.length; j++)
        pairs.push({ s: dot(faces[i]!.vector, faces[j]!.vector), same: faces[i]!.identity === faces[j]!.identity });
    const score = scoreCalibration(pairs, (s) => calibration!.face(s));
    expect(score.same).toBeGreaterThan(300);
    expect(score.pairs - score.same).toBeGreaterThan(10_000);
    expect(score.ece).toBeLessThanOrEqual(0.03);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(pairs.filter((p) => p.same).map((p) => calibration!.face(p.s)))).toBeGreaterThan(0.9);
    expect(mean(pairs.filter((p) => !p.same).map((p) => calibration!.face(p.s)))).toBeLessThan(0.05);
  });
});
