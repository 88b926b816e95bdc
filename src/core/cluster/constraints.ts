/** Union-find over faces that refuses unions breaking a cannot-link: two faces of one photo, or a
 * user's "not this person" pair. Every clustering algorithm merges through this, so no algorithm
 * can produce a same-photo violation. */
export class ConstrainedUnionFind {
  private readonly parent: Int32Array;
  private readonly rank: Uint8Array;
  /** Per root: photo indices of its members (merged smaller-into-larger); created on the first
   * union so a million single faces cost no Sets. */
  private readonly photos: (Set<number> | undefined)[];
  private readonly photoOf: Int32Array;
  /** Per root: faces its members must never join (user cannot-links), or undefined. */
  private readonly forbidden: (number[] | undefined)[];

  /**
   * @param photoOf photo index of each face
   * @param cannotLink pairs of face indices that must stay apart
   */
  constructor(photoOf: Int32Array, cannotLink: ReadonlyArray<readonly [number, number]> = []) {
    const n = photoOf.length;
    this.parent = new Int32Array(n);
    this.rank = new Uint8Array(n);
    this.photos = new Array(n);
    this.forbidden = new Array(n);
    this.photoOf = photoOf;
    for (let i = 0; i < n; i++) this.parent[i] = i;
    for (const [a, b] of cannotLink) {
      if (a === b) continue;
      (this.forbidden[a] ??= []).push(b);
      (this.forbidden[b] ??= []).push(a);
    }
  }

  get size(): number {
    return this.parent.length;
  }

  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r];
    // Path compression.
    while (this.parent[x] !== r) {
      const next = this.parent[x];
      this.parent[x] = r;
      x = next;
    }
    return r;
  }

  /** true if the groups of a and b may become one person. */
  canJoin(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return true;
    const pa = this.photos[ra];
    const pb = this.photos[rb];
    if (!pa && !pb) {
      if (this.photoOf[ra] === this.photoOf[rb]) return false;
    } else if (!pa) {
      if (pb!.has(this.photoOf[ra])) return false;
    } else if (!pb) {
      if (pa.has(this.photoOf[rb])) return false;
    } else {
      const [small, large] = pa.size <= pb.size ? [pa, pb] : [pb, pa];
      for (const p of small) if (large.has(p)) return false;
    }
    const fa = this.forbidden[ra];
    if (fa) for (const f of fa) if (this.find(f) === rb) return false;
    const fb = this.forbidden[rb];
    if (fb) for (const f of fb) if (this.find(f) === ra) return false;
    return true;
  }

  /** Join the groups of a and b unless a cannot-link forbids it; returns whether they are joined. */
  union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return true;
    if (!this.canJoin(ra, rb)) return false;
    let root = ra;
    let child = rb;
    if (this.rank[ra] < this.rank[rb] || (this.rank[ra] === this.rank[rb] && rb < ra)) {
      root = rb;
      child = ra;
    }
    this.parent[child] = root;
    if (this.rank[root] === this.rank[child]) this.rank[root]++;
    const pr = this.photos[root] ?? new Set([this.photoOf[root]]);
    const pc = this.photos[child] ?? new Set([this.photoOf[child]]);
    this.photos[root] = pr;
    if (pr.size >= pc.size) for (const p of pc) pr.add(p);
    else {
      for (const p of pr) pc.add(p);
      this.photos[root] = pc;
    }
    this.photos[child] = undefined;
    const fc = this.forbidden[child];
    if (fc) {
      const fr = this.forbidden[root];
      if (fr) for (const f of fc) fr.push(f);
      else this.forbidden[root] = fc;
      this.forbidden[child] = undefined;
    }
    return true;
  }

  /** Group label per face: the smallest face index of its group (stable, input-order based). */
  labels(): Int32Array {
    const n = this.parent.length;
    const minOf = new Int32Array(n).fill(-1);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = this.find(i);
      if (minOf[r] < 0) minOf[r] = i;
      out[i] = minOf[r];
    }
    return out;
  }
}
