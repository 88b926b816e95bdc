import { describe, expect, it } from 'vitest';
import type { PersonRecord } from '#core/ports/face-store.ts';
import { assignStablePersonIds } from '#core/pipeline/stable-ids.ts';

const person = (personId: string, faceIds: string[], name?: string): PersonRecord => ({
  userId: 'u',
  personId,
  faceIds,
  coverFaceId: faceIds[0]!,
  cohesion: 0.8,
  updatedAt: 0,
  ...(name ? { name } : {}),
});
const cluster = (faceIds: string[]) => ({ faceIds, medoidFaceId: faceIds[0]!, cohesion: 0.8 });

describe('stable person ids across re-clustering', () => {
  it('keeps the id and name of the previous person a cluster overlaps most', () => {
    const prev = [person('p_alice', ['a1', 'a2', 'a3'], 'Alice'), person('p_bob', ['b1', 'b2'])];
    const next = assignStablePersonIds([cluster(['b1', 'b2', 'b3']), cluster(['a1', 'a2', 'a3', 'a4'])], prev);
    expect(next.map((p) => p.personId)).toEqual(['p_bob', 'p_alice']);
    expect(next[1]!.previous?.name).toBe('Alice');
  });

  it('gives the larger part of a split person the old id and the smaller part a new one', () => {
    const prev = [person('p_x', ['f1', 'f2', 'f3', 'f4', 'f5'])];
    const next = assignStablePersonIds([cluster(['f1', 'f2']), cluster(['f3', 'f4', 'f5'])], prev);
    expect(next[1]!.personId).toBe('p_x');
    expect(next[0]!.personId).not.toBe('p_x');
    expect(next[0]!.personId).toMatch(/^p_[0-9a-f]{16}$/);
  });

  it('derives new ids from the faces alone, so the same input gives the same ids', () => {
    const a = assignStablePersonIds([cluster(['x1', 'x2'])], []);
    const b = assignStablePersonIds([cluster(['x2', 'x1'])], []);
    expect(a[0]!.personId).toBe(b[0]!.personId);
    const c = assignStablePersonIds([cluster(['x1', 'x3'])], []);
    expect(c[0]!.personId).not.toBe(a[0]!.personId);
  });
});
