import { afterAll, beforeAll, expect, it } from 'vitest';
import { cluster } from '#core/cluster/index.ts';
import type { ClusterFace } from '#core/cluster/types.ts';
import { QUALITY_GATE } from '#core/vision/quality.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, readBytes } from '../vision/helpers.ts';

// The quality gate's effect on clustering, on real photos: in these lfw-df-dev photos the
// background faces (cut by the funnelled border, blurred, tiny, a cap logo) embed close to each
// other and, without the gate, form a "person" of strangers. With the gate they are left out
// (listed as gated), never seed a person, and a user's must-link still brings one into a person.
const PHOTOS = [
  'Wang_Yingfan/Wang_Yingfan_0002.jpg',
  'Larry_Brown/Larry_Brown_0006.jpg',
  'Billy_Beane/Billy_Beane_0001.jpg',
  'Robby_Ginepri/Robby_Ginepri_0002.jpg',
  'Habib_Rizieq/Habib_Rizieq_0004.jpg',
  'Thomas_Birmingham/Thomas_Birmingham_0001.jpg',
  'Emmanuelle_Beart/Emmanuelle_Beart_0001.jpg',
  'LK_Advani/LK_Advani_0002.jpg',
  'Mohamed_ElBaradei/Mohamed_ElBaradei_0005.jpg',
  'Choi_Sung-hong/Choi_Sung-hong_0003.jpg',
  'Shane_Loux/Shane_Loux_0001.jpg',
  'Goh_Kun/Goh_Kun_0001.jpg',
  'Jon_Voight/Jon_Voight_0001.jpg',
  'Lee_Soo-hyuck/Lee_Soo-hyuck_0001.jpg',
  'Queen_Elizabeth_II/Queen_Elizabeth_II_0006.jpg',
  'Mark_Richt/Mark_Richt_0002.jpg',
];

describeWithData('quality gate and clustering', () => {
  const faces: ClusterFace[] = [];
  /** Face id -> identity folder for each photo's largest face; background faces are absent. */
  const subjectOf = new Map<string, string>();

  beforeAll(async () => {
    const analyzer = await defaultAnalyzer();
    try {
      for (const file of PHOTOS) {
        const photo = await analyzer.analyze(readBytes(dataPath('lfw-df-dev', ...file.split('/'))));
        const largest = [...photo.faces].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];
        photo.faces.forEach((f, i) => {
          const id = `${file}#${i}`;
          faces.push({
            id,
            photoId: file,
            vector: f.embedding!.vector,
            modelId: f.embedding!.modelId,
            quality: f.quality.score!,
          });
          if (f === largest) subjectOf.set(id, file.split('/')[0]!);
        });
      }
    } finally {
      await analyzer.dispose();
    }
  }, 300_000);
  afterAll(() => faces.splice(0));

  /** People made mostly of background faces from different photos: strangers. */
  const strangerPeople = (people: readonly { faceIds: readonly string[] }[]): number =>
    people.filter(
      (p) => p.faceIds.filter((id) => !subjectOf.has(id)).length * 2 > p.faceIds.length && p.faceIds.length >= 3,
    ).length;

  it('without the gate, background faces form a person of strangers', () => {
    expect(strangerPeople(cluster(faces, { qualityGate: 0 }).people)).toBeGreaterThan(0);
  });

  it('with the gate, no person of strangers; low-quality faces are listed as gated, in no person', () => {
    const result = cluster(faces);
    expect(strangerPeople(result.people)).toBe(0);
    const low = faces
      .filter((f) => f.quality! < QUALITY_GATE)
      .map((f) => f.id)
      .sort();
    expect(low.length).toBeGreaterThan(3);
    expect(result.gated).toEqual(low);
    const placed = new Set([...result.people.flatMap((p) => p.faceIds), ...result.unassigned]);
    for (const id of low) expect(placed.has(id)).toBe(false);
  });

  it('a must-link (the user moving a gated face) puts it into a person; gated faces seed none', () => {
    const low = faces.filter((f) => f.quality! < QUALITY_GATE);
    const [moved, other] = [low[0]!, low[1]!];
    // A subject of another photo (two faces of one photo can never be one person).
    const subject = [...subjectOf.keys()].find((id) => faces.find((f) => f.id === id)!.photoId !== moved.photoId)!;
    const result = cluster(faces, {}, { mustLink: [[moved.id, subject]] });
    const person = result.people.find((p) => p.faceIds.includes(subject));
    expect(person?.faceIds).toContain(moved.id);
    expect(result.gated).not.toContain(moved.id);
    expect(result.gated).toContain(other.id);
    // Every other person holds at least one face that passed the gate.
    for (const p of result.people)
      expect(p.faceIds.some((id) => faces.find((f) => f.id === id)!.quality! >= QUALITY_GATE)).toBe(true);
  });
});
