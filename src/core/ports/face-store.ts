import type { Box, FaceQuality, FivePoints } from '#core/types.ts';

/** Processing state of one photo; errors are recorded, never thrown past a batch. */
export type PhotoStatus = 'detected' | 'embedded' | 'error' | 'deleted';

export interface PhotoRecord {
  readonly userId: string;
  /** Stable id: derived from the content hash (locally) or the object key (S3), never random. */
  readonly photoId: string;
  /** Where the source lives: an S3 key or a path relative to the scanned folder. */
  readonly sourceKey: string;
  readonly contentHash: string;
  readonly width: number;
  readonly height: number;
  readonly status: PhotoStatus;
  readonly error?: { readonly code: string; readonly message: string };
  readonly faceCount: number;
  readonly updatedAt: number;
}

export interface FaceRecord {
  readonly userId: string;
  /** Deterministic: `${photoId}#${index}` with faces ordered by position, so re-processing the same
   * photo yields the same ids (idempotency). */
  readonly faceId: string;
  readonly photoId: string;
  readonly box: Box;
  readonly score: number;
  readonly landmarks: FivePoints;
  readonly quality: FaceQuality;
  /** Blob key of the aligned crop (JPEG), if stored. */
  readonly cropKey?: string;
}

export interface VectorRecord {
  readonly userId: string;
  readonly faceId: string;
  readonly photoId: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly vector: Float32Array;
}

export interface PersonRecord {
  readonly userId: string;
  readonly personId: string;
  readonly name?: string;
  readonly hidden?: boolean;
  readonly faceIds: readonly string[];
  readonly coverFaceId: string;
  readonly cohesion: number;
  readonly updatedAt: number;
}

/** A user's correction, kept forever and replayed as a clustering constraint. */
export type UserEdit =
  | { readonly kind: 'must-link'; readonly faceIds: readonly [string, string] }
  | { readonly kind: 'cannot-link'; readonly faceIds: readonly [string, string] }
  /** "Not this person": the face must not join the faces listed (the person as the user saw it). */
  | { readonly kind: 'not-person'; readonly faceId: string; readonly personFaceIds: readonly string[] };

/** Persistence of photos, faces, vectors, people and edits, always scoped by user. Adapters:
 * SQLite (local CLI) and DynamoDB (cloud). Every write is idempotent. */
export interface FaceStore {
  putPhoto(photo: PhotoRecord): Promise<void>;
  getPhoto(userId: string, photoId: string): Promise<PhotoRecord | undefined>;
  listPhotos(userId: string): Promise<PhotoRecord[]>;
  /** Replace all faces of a photo (drops faces no longer present, and their vectors). */
  replaceFaces(userId: string, photoId: string, faces: readonly FaceRecord[]): Promise<void>;
  listFaces(userId: string): Promise<FaceRecord[]>;
  listFacesOfPhoto(userId: string, photoId: string): Promise<FaceRecord[]>;
  putVectors(vectors: readonly VectorRecord[]): Promise<void>;
  listVectors(userId: string, modelId: string): Promise<VectorRecord[]>;
  /** Delete a photo's record, faces and vectors. */
  deletePhoto(userId: string, photoId: string): Promise<void>;
  /** Replace the user's people with a new clustering result. */
  replacePeople(userId: string, people: readonly PersonRecord[]): Promise<void>;
  listPeople(userId: string): Promise<PersonRecord[]>;
  addEdit(userId: string, edit: UserEdit): Promise<void>;
  listEdits(userId: string): Promise<UserEdit[]>;
}
