/** Input/output of clustering: pure data, no I/O. */

export interface ClusterFace {
  readonly id: string;
  readonly photoId: string;
  readonly vector: Float32Array;
  readonly modelId: string;
  /** Face quality score 0..1 (`FaceQuality.score`); faces below the gate are not clustered. */
  readonly quality?: number;
}

export interface ClusterConstraints {
  /** Pairs that must end in the same person (user-confirmed). */
  readonly mustLink?: ReadonlyArray<readonly [string, string]>;
  /** Pairs that must never share a person (beyond the implicit same-photo rule). */
  readonly cannotLink?: ReadonlyArray<readonly [string, string]>;
}

export interface ClusterPerson {
  /** Face ids, sorted. */
  readonly faceIds: string[];
  readonly medoidFaceId: string;
  /** Mean cosine similarity of members to the medoid. */
  readonly cohesion: number;
}

export interface ClusterResult {
  /** People, largest first, ties broken by smallest face id (deterministic). */
  readonly people: ClusterPerson[];
  /** Faces that merged with nothing. */
  readonly unassigned: string[];
  /** Faces below the quality gate (never clustered, sorted); absent when nothing was gated. */
  readonly gated?: string[];
}
