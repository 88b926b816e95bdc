import { describe, expect, it } from 'vitest';
import { cluster, type ClusterOptions } from '#core/cluster/index.ts';
import type { ClusterFace } from '#core/cluster/types.ts';

// A person of 8 photos (members 0.8 similar to each other), one noisy photo of him that is 0.55
// similar to each of them (cosine distance 0.45: outside a strict face-to-face gate of 0.4, but an
// average link of 0.45 to the person) and a stranger 0.35 similar to each of them (average link 0.65).
const DIM = 32;

function unit(v: number[]): Float32Array {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
}

function axis(i: number, w: number, centre: number): number[] {
  const v = new Array<number>(DIM).fill(0);
  v[0] = centre;
  v[i] = w;
  return v;
}

function faces(): ClusterFace[] {
  const out: ClusterFace[] = [];
  const add = (id: string, vector: Float32Array): void => void out.push({ id, photoId: id, vector, modelId: 'test' });
  for (let i = 0; i < 8; i++) add(`m${i}`, unit(axis(i + 1, 0.5, 1)));
  // x·m = a / (|x| sqrt(1.25)): 0.55 for the noisy photo, 0.35 for the stranger.
  const cosToCentre = (s: number): number => s * Math.sqrt(1.25);
  const noisy = cosToCentre(0.55);
  add('noisy', unit(axis(20, Math.sqrt(1 - noisy * noisy), noisy)));
  const stranger = cosToCentre(0.35);
  add('stranger', unit(axis(21, Math.sqrt(1 - stranger * stranger), stranger)));
  return out;
}

const strict: ClusterOptions = {
  algorithm: 'approximate-rank-order',
  knn: { method: 'exact' },
  approximate: { maxDistance: 0.4 },
};

describe('attaching faces left alone by their average link (approximate algorithm)', () => {
  it('a noisy photo outside the face-to-face gate joins the person its average link is within', () => {
    const person = cluster(faces(), { ...strict, attach: 0.5 }).people.find((p) => p.faceIds.includes('m0'));
    expect(person?.faceIds).toContain('noisy');
    expect(person?.faceIds).not.toContain('stranger');
  });

  it('without the pass the noisy photo stays alone, and the stranger stays alone either way', () => {
    const off = cluster(faces(), { ...strict, attach: false });
    expect(off.unassigned).toEqual(['noisy', 'stranger']);
    expect(cluster(faces(), { ...strict, attach: 0.5 }).unassigned).toEqual(['stranger']);
  });
});
