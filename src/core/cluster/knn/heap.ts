/** Bounded max-heaps, one per row, in flat typed arrays: keeps each row's k best (smallest
 * distance, then smallest index) candidates without allocating per row. */
export class RowHeaps {
  readonly idx: Int32Array;
  readonly dist: Float32Array;
  readonly size: Int32Array;

  constructor(
    readonly rows: number,
    readonly k: number,
  ) {
    this.idx = new Int32Array(rows * k);
    this.dist = new Float32Array(rows * k);
    this.size = new Int32Array(rows);
  }

  /** true if (d1, i1) is worse (farther, or as far with a larger index) than (d2, i2). */
  private static worse(d1: number, i1: number, d2: number, i2: number): boolean {
    return d1 > d2 || (d1 === d2 && i1 > i2);
  }

  /** Largest distance kept so far for `row` (+Infinity while the heap is not full): a cheap
   * pre-check before `push`. */
  bound(row: number): number {
    return this.size[row] < this.k ? Infinity : this.dist[row * this.k];
  }

  push(row: number, index: number, distance: number): void {
    const k = this.k;
    if (k === 0) return;
    const base = row * k;
    const idx = this.idx;
    const dist = this.dist;
    let s = this.size[row];
    if (s < k) {
      // Sift up.
      let c = s;
      this.size[row] = s + 1;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!RowHeaps.worse(distance, index, dist[base + p], idx[base + p])) break;
        idx[base + c] = idx[base + p];
        dist[base + c] = dist[base + p];
        c = p;
      }
      idx[base + c] = index;
      dist[base + c] = distance;
      return;
    }
    if (!RowHeaps.worse(dist[base], idx[base], distance, index)) return;
    // Replace the root (the worst kept) and sift down.
    s = k;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= s) break;
      const r = l + 1;
      let m = l;
      if (r < s && RowHeaps.worse(dist[base + r], idx[base + r], dist[base + l], idx[base + l])) m = r;
      if (!RowHeaps.worse(dist[base + m], idx[base + m], distance, index)) break;
      idx[base + c] = idx[base + m];
      dist[base + c] = dist[base + m];
      c = m;
    }
    idx[base + c] = index;
    dist[base + c] = distance;
  }

  /** Each row sorted nearest first (ties by index), padded with -1/+Infinity. */
  toGraph(): { indices: Int32Array; distances: Float32Array } {
    const k = this.k;
    const indices = new Int32Array(this.rows * k).fill(-1);
    const distances = new Float32Array(this.rows * k).fill(Infinity);
    const order: number[] = [];
    for (let r = 0; r < this.rows; r++) {
      const base = r * k;
      const s = this.size[r];
      order.length = 0;
      for (let j = 0; j < s; j++) order.push(j);
      order.sort((a, b) => this.dist[base + a] - this.dist[base + b] || this.idx[base + a] - this.idx[base + b]);
      for (let j = 0; j < s; j++) {
        indices[base + j] = this.idx[base + order[j]];
        distances[base + j] = this.dist[base + order[j]];
      }
    }
    return { indices, distances };
  }
}
