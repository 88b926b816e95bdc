import { RankfaceError } from '#core/errors.ts';
import type { Box, CropRegion, FaceQuality, FivePoints } from '#core/types.ts';

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
  /** Blob key of the aligned crop, if stored: the face's own image, or (with `cropRegion`) the
   * photo's crop sheet holding every face of the photo. */
  readonly cropKey?: string;
  /** Where this face sits in the sheet at `cropKey`; absent when the image is the face alone. */
  readonly cropRegion?: CropRegion;
}

export interface VectorRecord {
  readonly userId: string;
  readonly faceId: string;
  readonly photoId: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly vector: Float32Array;
}

/** A few member vectors of a person that stand in for all of its faces when a new face is matched
 * against it (incremental assignment): chosen by the clustering run (chooseExemplars), so that a
 * photo's assignment reads O(people × k) vector bytes instead of every vector of the user. */
export interface PersonExemplars {
  readonly personId: string;
  /** Vectors of member faces (of one model); those no longer in the person are ignored on use. */
  readonly vectors: readonly VectorRecord[];
  /** The person's version when the run chose them: while no face has left the person since
   * (`PersonHead.removedAtVersion` not above it), every exemplar is still a member. */
  readonly personVersion?: number;
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
  /** Faces the user confirmed in this person (by naming or merging it): they never leave it in a
   * later run. Faces confirmed one by one (a move) are in their `FaceEditRecord` instead. */
  readonly confirmedFaceIds?: readonly string[];
  /** Faces that joined this person right after they were embedded (incremental assignment), before
   * any clustering run decided them: provisional until the next full run, which clears the list. */
  readonly provisionalFaceIds?: readonly string[];
  /** Optimistic-concurrency version: every edit writes version + 1 on the condition that the stored
   * version is still the one it read (absent = 0). */
  readonly version?: number;
}

/** A person without its members: what a store keeps in one bounded record (the cloud's person
 * item), so that listing people or checking one costs O(people), not O(faces). */
export type PersonHead = Omit<PersonRecord, 'faceIds' | 'confirmedFaceIds' | 'provisionalFaceIds'> & {
  readonly faceCount: number;
  /** The version at which a face last left this person (an edit or a clustering run took it out);
   * absent when none has. Exemplars chosen at a later or equal version are all still members. */
  readonly removedAtVersion?: number;
};

/** One face's membership: the person holding it, and whether it joined provisionally. */
export interface FaceMembership {
  readonly faceId: string;
  readonly personId: string;
  readonly provisional: boolean;
}

/** A page of a person's members in store order (face id, UTF-8 byte order), and where the next
 * page starts (absent on the last). */
export interface MemberPage {
  readonly members: readonly FaceMembership[];
  readonly nextAfter?: string;
}

/** Faces joining a person without the person being rewritten (incremental assignment): the head
 * moves to `expectedVersion + 1` (guarded) and each face gets one membership, on the condition that
 * it is in no person yet. O(faces joining) writes whatever the person's size. */
export interface PersonJoin {
  readonly personId: string;
  readonly expectedVersion: number;
  readonly faceIds: readonly string[];
  /** Joined before any clustering run decided them (the assignment's joins are). */
  readonly provisional: boolean;
  readonly updatedAt: number;
}

/** A change of a person's bounded fields (rename, hide), guarded by its version. With
 * `confirmAll`, every face in the person at this version becomes confirmed (naming a person). */
export interface PersonHeadUpdate {
  readonly head: PersonHead;
  readonly expectedVersion: number;
  readonly confirmAll?: boolean;
}

/** The user's word on one face (person-level edit state, one item per face, never a pair list). */
export interface FaceEditRecord {
  readonly userId: string;
  readonly faceId: string;
  /** Moved here by the user: the face stays in this person (or the person it was merged into). */
  readonly confirmedPersonId?: string;
  /** "Not this person": the face never returns to any of these people (or those they merged into). */
  readonly rejectedPersonIds: readonly string[];
  readonly version?: number;
  readonly updatedAt: number;
}

/** A person merged away by the user: edits that name it follow it into `intoPersonId`. */
export interface PersonAlias {
  readonly userId: string;
  readonly personId: string;
  readonly intoPersonId: string;
  readonly updatedAt: number;
}

/** One user edit's writes, applied atomically: all or nothing, and nothing if any record changed
 * since it was read (versions). O(1) records per edit whatever the size of the people involved. */
export interface PeopleChange {
  /** People to write; `expectedVersion` undefined means "must not exist yet". */
  readonly putPeople?: readonly { readonly person: PersonRecord; readonly expectedVersion: number | undefined }[];
  readonly deletePeople?: readonly { readonly personId: string; readonly expectedVersion: number }[];
  readonly putFaceEdits?: readonly { readonly edit: FaceEditRecord; readonly expectedVersion: number | undefined }[];
  readonly putAliases?: readonly PersonAlias[];
  /** Faces joining people, O(1) records each (see PersonJoin). */
  readonly joinPeople?: readonly PersonJoin[];
  /** Heads rewritten without touching members (see PersonHeadUpdate). */
  readonly updateHeads?: readonly PersonHeadUpdate[];
}

/** Thrown by `commitPeopleChange` when a guarded record changed since it was read: re-read and retry. */
export class EditConflictError extends RankfaceError {
  constructor(message = 'a person or face changed since it was read') {
    super('edit-conflict', message);
  }
}

/** Person and edit state: what the people use-cases need beyond faces (both stores implement it). */
export interface PeopleStore {
  getPerson(userId: string, personId: string): Promise<PersonRecord | undefined>;
  listPeople(userId: string): Promise<PersonRecord[]>;
  getFace(userId: string, faceId: string): Promise<FaceRecord | undefined>;
  /** Several faces at once (unknown ids are left out; order not kept): e.g. every person's cover. */
  getFaces(userId: string, faceIds: readonly string[]): Promise<FaceRecord[]>;
  /** The person that holds a face, if any (read by the face's key, then that one person). */
  personOfFace(userId: string, faceId: string): Promise<PersonRecord | undefined>;
  /** Every person without members: O(people) whatever their sizes. */
  listPersonHeads(userId: string): Promise<PersonHead[]>;
  /** Some people without members, by id (unknown ids left out). */
  getPersonHeads(userId: string, personIds: readonly string[]): Promise<PersonHead[]>;
  /** The memberships of the given faces, read by key: faces in no person are left out. */
  membershipsOf(userId: string, faceIds: readonly string[]): Promise<FaceMembership[]>;
  /** One page of a person's members, after the face id `after` (store order), at most `limit`. */
  listPersonMembers(
    userId: string,
    personId: string,
    page: { readonly after?: string; readonly limit: number },
  ): Promise<MemberPage>;
  getFaceEdit(userId: string, faceId: string): Promise<FaceEditRecord | undefined>;
  listFaceEdits(userId: string): Promise<FaceEditRecord[]>;
  listAliases(userId: string): Promise<PersonAlias[]>;
  /** Apply one edit's writes atomically; throws EditConflictError if a version guard fails. */
  commitPeopleChange(userId: string, change: PeopleChange): Promise<void>;
}

/** A user's correction, kept forever and replayed as a clustering constraint. */
export type UserEdit =
  | { readonly kind: 'must-link'; readonly faceIds: readonly [string, string] }
  | { readonly kind: 'cannot-link'; readonly faceIds: readonly [string, string] }
  /** "Not this person": the face must not join the faces listed (the person as the user saw it). */
  | { readonly kind: 'not-person'; readonly faceId: string; readonly personFaceIds: readonly string[] };

/** Persistence of photos, faces, vectors, people and edits, always scoped by user. Adapters:
 * SQLite (local CLI) and DynamoDB (cloud). Every write is idempotent. */
export interface FaceStore extends PeopleStore {
  putPhoto(photo: PhotoRecord): Promise<void>;
  getPhoto(userId: string, photoId: string): Promise<PhotoRecord | undefined>;
  listPhotos(userId: string): Promise<PhotoRecord[]>;
  /** Replace all faces of a photo (drops faces no longer present, and their vectors). */
  replaceFaces(userId: string, photoId: string, faces: readonly FaceRecord[]): Promise<void>;
  listFaces(userId: string): Promise<FaceRecord[]>;
  listFacesOfPhoto(userId: string, photoId: string): Promise<FaceRecord[]>;
  putVectors(vectors: readonly VectorRecord[]): Promise<void>;
  /** The user's vectors of one model; with `modelVersion` (version + content hash, readModelVersion)
   * only those that exact model made: vectors of two models are never compared (issue 12, 13). */
  listVectors(userId: string, modelId: string, modelVersion?: string): Promise<VectorRecord[]>;
  /** Stores that keep person exemplars (the cloud's): the vectors of the given faces, read by key
   * (same model and version filter as listVectors). Absent: assignment reads every vector. */
  getVectors?(
    userId: string,
    modelId: string,
    faceIds: readonly string[],
    modelVersion?: string,
  ): Promise<VectorRecord[]>;
  /** The exemplars of the user's people for one model, as the last clustering run wrote them. */
  listExemplars?(userId: string, modelId: string): Promise<PersonExemplars[]>;
  /** Replace the exemplars of one model (the clustering run, after replacePeople). */
  replaceExemplars?(userId: string, modelId: string, exemplars: readonly PersonExemplars[]): Promise<void>;
  /** Delete a photo's record, faces and vectors. */
  deletePhoto(userId: string, photoId: string): Promise<void>;
  /** Replace the user's people with a new clustering result. */
  replacePeople(userId: string, people: readonly PersonRecord[]): Promise<void>;
  addEdit(userId: string, edit: UserEdit): Promise<void>;
  listEdits(userId: string): Promise<UserEdit[]>;
}
