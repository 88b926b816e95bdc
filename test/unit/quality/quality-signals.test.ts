import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { QUALITY_GATE } from '#core/vision/quality.ts';
import type { AnalyzedFace } from '#core/vision/types.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, readBytes } from '../vision/helpers.ts';

// Each quality signal on real photos through the real engine: a frontal sharp face scores above the
// gate; a copy cut by the border, a blurred copy, a profile and a non-face (a cap logo the detector
// took for a face) each drop on their own signal.
describeWithData('face quality signals on real crops', () => {
  const photo = dataPath('lfw-df-dev', 'Billy_Beane', 'Billy_Beane_0001.jpg');
  let analyzer: FaceAnalyzer;
  let subject: AnalyzedFace;
  let others: AnalyzedFace[];

  const largest = (faces: readonly AnalyzedFace[]): AnalyzedFace =>
    [...faces].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0]!;
  const analyse = async (bytes: Uint8Array): Promise<AnalyzedFace[]> => (await analyzer.analyze(bytes)).faces;

  beforeAll(async () => {
    analyzer = await defaultAnalyzer();
    const faces = await analyse(readBytes(photo));
    subject = largest(faces);
    others = faces.filter((f) => f !== subject);
  }, 120_000);
  afterAll(async () => analyzer?.dispose());

  it('scores a frontal, sharp face above the gate with no geometric or blur reason', () => {
    expect(subject.quality.score).toBeGreaterThanOrEqual(QUALITY_GATE);
    expect(subject.quality.truncation).toBe(0);
    expect(subject.quality.reasons).not.toContain('truncated');
    expect(subject.quality.reasons).not.toContain('blurred');
    expect(subject.quality.reasons).not.toContain('profile');
    expect(subject.quality.embeddingNorm).toBeGreaterThan(2.6);
  });

  it('flags a face cut by the photo border (forehead cut off) as truncated', async () => {
    const eyeY = (subject.landmarks[0][1] + subject.landmarks[1][1]) / 2;
    // The photo now starts just above the eyes: the forehead of the face region lies outside it.
    const top = Math.round(eyeY - 12);
    const cut = await sharp(photo)
      .extract({ left: 0, top, width: 250, height: 250 - top })
      .jpeg({ quality: 95 })
      .toBuffer();
    const face = largest(await analyse(new Uint8Array(cut)));
    expect(subject.quality.truncation).toBe(0);
    expect(face.quality.truncation).toBeGreaterThan(0.2);
    expect(face.quality.reasons).toContain('truncated');
    expect(face.quality.score!).toBeLessThan(subject.quality.score!);
  });

  it('flags a blurred copy: lower Laplacian variance, "blurred", lower score', async () => {
    const blurred = await sharp(photo).blur(3).jpeg({ quality: 95 }).toBuffer();
    const face = largest(await analyse(new Uint8Array(blurred)));
    expect(face.quality.sharpness).toBeLessThan(subject.quality.sharpness / 3);
    expect(face.quality.reasons).toContain('blurred');
    expect(face.quality.score!).toBeLessThan(subject.quality.score!);
  });

  it('flags a profile from the landmarks', async () => {
    const face = largest(await analyse(readBytes(dataPath('lfw-df-dev', 'Bill_Simon', 'Bill_Simon_0006.jpg'))));
    expect(Math.abs(face.quality.yaw)).toBeGreaterThan(45);
    expect(face.quality.reasons).toContain('profile');
  });

  it('scores a non-face detection (a cap logo) below the gate', () => {
    expect(others.length).toBeGreaterThan(0);
    const logo = others[0]!;
    expect(logo.quality.score!).toBeLessThan(QUALITY_GATE);
    expect(logo.quality.reasons).toContain('weak-embedding');
  });
});
