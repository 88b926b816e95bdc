import { describe, expect, it } from 'vitest';
import { projectFaces } from '#cli/report/projection.ts';
import { seededRandom } from '#core/random.ts';

/** The report's map: deterministic, inside [0, 1], and faces of one person land together. */
describe('projectFaces', () => {
  const rand = seededRandom(7);
  const groups = 4;
  const faces = Array.from({ length: groups * 12 }, (_, i) => {
    const g = i % groups;
    const v = new Float32Array(128).map((_, k) => (k % groups === g ? 1 : 0) + (rand() - 0.5) * 0.6);
    return { id: `f${String(i).padStart(2, '0')}`, vector: v, group: g };
  });

  it('gives the same map for the same faces in any order, within the unit square', () => {
    const a = projectFaces(faces);
    const b = projectFaces([...faces].reverse());
    expect(b).toEqual(a);
    expect(a).toHaveLength(faces.length);
    for (const p of a) for (const c of [p.x, p.y]) expect(c >= 0 && c <= 1).toBe(true);
  });

  it("places each group's faces nearer their own group's centre than any other", () => {
    const at = new Map(projectFaces(faces).map((p) => [p.id, p]));
    const centres = Array.from({ length: groups }, (_, g) => {
      const pts = faces.filter((f) => f.group === g).map((f) => at.get(f.id)!);
      return { x: pts.reduce((s, p) => s + p.x, 0) / pts.length, y: pts.reduce((s, p) => s + p.y, 0) / pts.length };
    });
    for (const f of faces) {
      const p = at.get(f.id)!;
      const d = centres.map((c) => Math.hypot(c.x - p.x, c.y - p.y));
      expect(d.indexOf(Math.min(...d))).toBe(f.group);
    }
  });

  it('handles tiny sets', () => {
    expect(projectFaces([])).toEqual([]);
    expect(projectFaces(faces.slice(0, 1))).toEqual([{ id: 'f00', x: 0.5, y: 0.5 }]);
    expect(projectFaces(faces.slice(0, 3))).toHaveLength(3);
  });
});
