import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  EditConflictError,
  type FaceEditRecord,
  type FaceRecord,
  type FaceStore,
  type FaceMembership,
  type MemberPage,
  type PeopleChange,
  type PersonAlias,
  type PersonHead,
  type PersonRecord,
  type PhotoRecord,
  type PhotoStatus,
  type UserEdit,
  type VectorRecord,
} from '#core/ports/face-store.ts';
import type { Box, FaceQuality, FivePoints } from '#core/types.ts';
import { decodeVector, encodeVector, type VectorCodec } from '#adapters/shared/vector-codec.ts';

/** What the local scan remembers about a file so that an unchanged file is not hashed again. */
export interface FileStamp {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly contentHash: string;
}

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS photos (
  user_id TEXT NOT NULL, photo_id TEXT NOT NULL, source_key TEXT NOT NULL, content_hash TEXT NOT NULL,
  width INTEGER NOT NULL, height INTEGER NOT NULL, status TEXT NOT NULL,
  error_code TEXT, error_message TEXT, face_count INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, photo_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS faces (
  user_id TEXT NOT NULL, face_id TEXT NOT NULL, photo_id TEXT NOT NULL,
  box TEXT NOT NULL, score REAL NOT NULL, landmarks TEXT NOT NULL, quality TEXT NOT NULL, crop_key TEXT,
  PRIMARY KEY (user_id, face_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS faces_by_photo ON faces (user_id, photo_id);
CREATE TABLE IF NOT EXISTS vectors (
  user_id TEXT NOT NULL, face_id TEXT NOT NULL, model_id TEXT NOT NULL, model_version TEXT NOT NULL,
  photo_id TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
  PRIMARY KEY (user_id, face_id, model_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vectors_by_photo ON vectors (user_id, photo_id);
CREATE TABLE IF NOT EXISTS people (
  user_id TEXT NOT NULL, person_id TEXT NOT NULL, name TEXT, hidden INTEGER,
  face_ids TEXT NOT NULL, cover_face_id TEXT NOT NULL, cohesion REAL NOT NULL, updated_at INTEGER NOT NULL,
  confirmed_face_ids TEXT, version INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, person_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS edits (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, edit TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS edits_by_user ON edits (user_id, seq);
CREATE TABLE IF NOT EXISTS face_edits (
  user_id TEXT NOT NULL, face_id TEXT NOT NULL, confirmed_person_id TEXT, rejected_person_ids TEXT NOT NULL,
  version INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, face_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS person_aliases (
  user_id TEXT NOT NULL, person_id TEXT NOT NULL, into_person_id TEXT NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, person_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_stamps (
  user_id TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, content_hash TEXT NOT NULL,
  PRIMARY KEY (user_id, path)
) WITHOUT ROWID;
`;

interface PhotoRow {
  user_id: string;
  photo_id: string;
  source_key: string;
  content_hash: string;
  width: number;
  height: number;
  status: string;
  error_code: string | null;
  error_message: string | null;
  face_count: number;
  updated_at: number;
}
interface FaceRow {
  user_id: string;
  face_id: string;
  photo_id: string;
  box: string;
  score: number;
  landmarks: string;
  quality: string;
  crop_key: string | null;
}
interface VectorRow {
  user_id: string;
  face_id: string;
  model_id: string;
  model_version: string;
  photo_id: string;
  dim: number;
  vector: Buffer;
}
interface PersonRow {
  user_id: string;
  person_id: string;
  name: string | null;
  hidden: number | null;
  face_ids: string;
  cover_face_id: string;
  cohesion: number;
  updated_at: number;
  confirmed_face_ids: string | null;
  version: number;
  provisional_face_ids?: string | null;
}
interface FaceEditRow {
  user_id: string;
  face_id: string;
  confirmed_person_id: string | null;
  rejected_person_ids: string;
  version: number;
  updated_at: number;
}

/** Schema 1 → 2: people gain confirmed faces and a version (the new tables are created by SCHEMA). */
const MIGRATE_1_TO_2 = `
ALTER TABLE people ADD COLUMN confirmed_face_ids TEXT;
ALTER TABLE people ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
`;

function photoFromRow(r: PhotoRow): PhotoRecord {
  return {
    userId: r.user_id,
    photoId: r.photo_id,
    sourceKey: r.source_key,
    contentHash: r.content_hash,
    width: r.width,
    height: r.height,
    status: r.status as PhotoStatus,
    ...(r.error_code !== null ? { error: { code: r.error_code, message: r.error_message ?? '' } } : {}),
    faceCount: r.face_count,
    updatedAt: r.updated_at,
  };
}

function faceFromRow(r: FaceRow): FaceRecord {
  return {
    userId: r.user_id,
    faceId: r.face_id,
    photoId: r.photo_id,
    box: JSON.parse(r.box) as Box,
    score: r.score,
    landmarks: JSON.parse(r.landmarks) as FivePoints,
    quality: JSON.parse(r.quality) as FaceQuality,
    ...(r.crop_key !== null ? { cropKey: r.crop_key } : {}),
  };
}

function personFromRow(r: PersonRow): PersonRecord {
  return {
    userId: r.user_id,
    personId: r.person_id,
    ...(r.name !== null ? { name: r.name } : {}),
    ...(r.hidden !== null ? { hidden: r.hidden === 1 } : {}),
    faceIds: JSON.parse(r.face_ids) as string[],
    coverFaceId: r.cover_face_id,
    cohesion: r.cohesion,
    updatedAt: r.updated_at,
    ...(r.confirmed_face_ids !== null ? { confirmedFaceIds: JSON.parse(r.confirmed_face_ids) as string[] } : {}),
    // Version 0 is "never edited": left out, so a record round-trips as written.
    ...(r.version !== 0 ? { version: r.version } : {}),
    ...(r.provisional_face_ids ? { provisionalFaceIds: JSON.parse(r.provisional_face_ids) as string[] } : {}),
  };
}

function faceEditFromRow(r: FaceEditRow): FaceEditRecord {
  return {
    userId: r.user_id,
    faceId: r.face_id,
    ...(r.confirmed_person_id !== null ? { confirmedPersonId: r.confirmed_person_id } : {}),
    rejectedPersonIds: JSON.parse(r.rejected_person_ids) as string[],
    version: r.version,
    updatedAt: r.updated_at,
  };
}

const PERSON_COLUMNS =
  'user_id, person_id, name, hidden, face_ids, cover_face_id, cohesion, updated_at, confirmed_face_ids, version, provisional_face_ids';
const personValues = (p: PersonRecord): (string | number | null)[] => [
  p.userId,
  p.personId,
  p.name ?? null,
  p.hidden === undefined ? null : p.hidden ? 1 : 0,
  JSON.stringify(p.faceIds),
  p.coverFaceId,
  p.cohesion,
  p.updatedAt,
  p.confirmedFaceIds ? JSON.stringify(p.confirmedFaceIds) : null,
  p.version ?? 0,
  p.provisionalFaceIds && p.provisionalFaceIds.length > 0 ? JSON.stringify(p.provisionalFaceIds) : null,
];

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A person's head: here simply the record without its lists (the local store keeps them in one row). */
function headOf(p: PersonRecord): PersonHead {
  const { faceIds, confirmedFaceIds: _c, provisionalFaceIds: _p, ...head } = p;
  return { ...head, faceCount: faceIds.length };
}

const sortedUnion = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();

/** FaceStore in one SQLite file (WAL journal), for the local CLI. Every query is scoped by user;
 * every write runs in one transaction, so a crash never leaves a photo half replaced. */
export class SqliteFaceStore implements FaceStore {
  private readonly db: Database.Database;

  /** Vectors default to bit-exact float32 here: local disk costs nothing per byte, and `rankface
   * eval` numbers stay exactly those of the model. */
  constructor(
    readonly file: string,
    private readonly vectorCodec: VectorCodec = 'f32',
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      throw new Error(
        `${file} was written by a newer rankface (schema ${version}); this one reads up to ${SCHEMA_VERSION}`,
      );
    if (version === 1) this.db.exec(MIGRATE_1_TO_2);
    this.db.exec(SCHEMA);
    // Added without a schema version (readers that do not know it ignore it): incremental joins.
    const columns = this.db.prepare('PRAGMA table_info(people)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'provisional_face_ids'))
      this.db.exec('ALTER TABLE people ADD COLUMN provisional_face_ids TEXT');
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }

  close(): void {
    this.db.close();
  }

  async putPhoto(photo: PhotoRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO photos (user_id, photo_id, source_key, content_hash, width, height, status, error_code, error_message, face_count, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        photo.userId,
        photo.photoId,
        photo.sourceKey,
        photo.contentHash,
        photo.width,
        photo.height,
        photo.status,
        photo.error?.code ?? null,
        photo.error?.message ?? null,
        photo.faceCount,
        photo.updatedAt,
      );
  }

  async getPhoto(userId: string, photoId: string): Promise<PhotoRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM photos WHERE user_id = ? AND photo_id = ?').get(userId, photoId) as
      PhotoRow | undefined;
    return row ? photoFromRow(row) : undefined;
  }

  async listPhotos(userId: string): Promise<PhotoRecord[]> {
    return (this.db.prepare('SELECT * FROM photos WHERE user_id = ? ORDER BY photo_id').all(userId) as PhotoRow[]).map(
      photoFromRow,
    );
  }

  async replaceFaces(userId: string, photoId: string, faces: readonly FaceRecord[]): Promise<void> {
    for (const f of faces) {
      if (f.userId !== userId || f.photoId !== photoId)
        throw new Error(`face ${f.faceId} belongs to ${f.userId}/${f.photoId}, not ${userId}/${photoId}`);
    }
    const existing = this.db
      .prepare('SELECT * FROM faces WHERE user_id = ? AND photo_id = ?')
      .all(userId, photoId) as FaceRow[];
    const rows = faces.map((f) => ({
      face_id: f.faceId,
      box: JSON.stringify(f.box),
      score: f.score,
      landmarks: JSON.stringify(f.landmarks),
      quality: JSON.stringify(f.quality),
      crop_key: f.cropKey ?? null,
    }));
    const next = new Map(rows.map((r) => [r.face_id, r]));
    const deleteFace = this.db.prepare('DELETE FROM faces WHERE user_id = ? AND face_id = ?');
    const deleteVectors = this.db.prepare('DELETE FROM vectors WHERE user_id = ? AND face_id = ?');
    const upsert = this.db.prepare(
      `INSERT OR REPLACE INTO faces (user_id, face_id, photo_id, box, score, landmarks, quality, crop_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const old of existing) {
        const now = next.get(old.face_id);
        // A face that is gone, or whose geometry changed, loses its vectors: they described other pixels.
        if (!now || now.box !== old.box || now.landmarks !== old.landmarks) deleteVectors.run(userId, old.face_id);
        if (!now) deleteFace.run(userId, old.face_id);
      }
      for (const r of rows) upsert.run(userId, r.face_id, photoId, r.box, r.score, r.landmarks, r.quality, r.crop_key);
    })();
  }

  async listFaces(userId: string): Promise<FaceRecord[]> {
    return (this.db.prepare('SELECT * FROM faces WHERE user_id = ? ORDER BY face_id').all(userId) as FaceRow[]).map(
      faceFromRow,
    );
  }

  async listFacesOfPhoto(userId: string, photoId: string): Promise<FaceRecord[]> {
    return (
      this.db
        .prepare('SELECT * FROM faces WHERE user_id = ? AND photo_id = ? ORDER BY face_id')
        .all(userId, photoId) as FaceRow[]
    ).map(faceFromRow);
  }

  async putVectors(vectors: readonly VectorRecord[]): Promise<void> {
    const upsert = this.db.prepare(
      `INSERT OR REPLACE INTO vectors (user_id, face_id, model_id, model_version, photo_id, dim, vector) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const v of vectors)
        upsert.run(
          v.userId,
          v.faceId,
          v.modelId,
          v.modelVersion,
          v.photoId,
          v.vector.length,
          encodeVector(v.vector, this.vectorCodec),
        );
    })();
  }

  async listVectors(userId: string, modelId: string, modelVersion?: string): Promise<VectorRecord[]> {
    const rows = (
      modelVersion === undefined
        ? this.db
            .prepare('SELECT * FROM vectors WHERE user_id = ? AND model_id = ? ORDER BY face_id')
            .all(userId, modelId)
        : this.db
            .prepare('SELECT * FROM vectors WHERE user_id = ? AND model_id = ? AND model_version = ? ORDER BY face_id')
            .all(userId, modelId, modelVersion)
    ) as VectorRow[];
    return rows.map((r) => ({
      userId: r.user_id,
      faceId: r.face_id,
      photoId: r.photo_id,
      modelId: r.model_id,
      modelVersion: r.model_version,
      vector: decodeVector(r.vector, r.dim),
    }));
  }

  async deletePhoto(userId: string, photoId: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM vectors WHERE user_id = ? AND photo_id = ?').run(userId, photoId);
      this.db.prepare('DELETE FROM faces WHERE user_id = ? AND photo_id = ?').run(userId, photoId);
      this.db.prepare('DELETE FROM photos WHERE user_id = ? AND photo_id = ?').run(userId, photoId);
    })();
  }

  async replacePeople(userId: string, people: readonly PersonRecord[]): Promise<void> {
    const insert = this.db.prepare(`INSERT INTO people (${PERSON_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM people WHERE user_id = ?').run(userId);
      for (const p of people) {
        if (p.userId !== userId) throw new Error(`person ${p.personId} belongs to ${p.userId}, not ${userId}`);
        insert.run(...personValues(p));
      }
    })();
  }

  async listPeople(userId: string): Promise<PersonRecord[]> {
    const people = (this.db.prepare('SELECT * FROM people WHERE user_id = ?').all(userId) as PersonRow[]).map(
      personFromRow,
    );
    return people.sort((a, b) => b.faceIds.length - a.faceIds.length || byId(a.personId, b.personId));
  }

  async getPerson(userId: string, personId: string): Promise<PersonRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM people WHERE user_id = ? AND person_id = ?').get(userId, personId) as
      PersonRow | undefined;
    return row ? personFromRow(row) : undefined;
  }

  async getFace(userId: string, faceId: string): Promise<FaceRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM faces WHERE user_id = ? AND face_id = ?').get(userId, faceId) as
      FaceRow | undefined;
    return row ? faceFromRow(row) : undefined;
  }

  async getFaces(userId: string, faceIds: readonly string[]): Promise<FaceRecord[]> {
    const out: FaceRecord[] = [];
    for (const faceId of new Set(faceIds)) {
      const face = await this.getFace(userId, faceId);
      if (face) out.push(face);
    }
    return out;
  }

  async listPersonHeads(userId: string): Promise<PersonHead[]> {
    return (await this.listPeople(userId)).map(headOf);
  }

  async getPersonHeads(userId: string, personIds: readonly string[]): Promise<PersonHead[]> {
    const out: PersonHead[] = [];
    for (const id of new Set(personIds)) {
      const p = await this.getPerson(userId, id);
      if (p) out.push(headOf(p));
    }
    return out;
  }

  async membershipsOf(userId: string, faceIds: readonly string[]): Promise<FaceMembership[]> {
    const out: FaceMembership[] = [];
    for (const faceId of new Set(faceIds)) {
      const p = await this.personOfFace(userId, faceId);
      if (p) out.push({ faceId, personId: p.personId, provisional: p.provisionalFaceIds?.includes(faceId) ?? false });
    }
    return out;
  }

  /** Pages of the person's face list, in id order (the same order the cloud store pages in). */
  async listPersonMembers(
    userId: string,
    personId: string,
    page: { readonly after?: string; readonly limit: number },
  ): Promise<MemberPage> {
    const p = await this.getPerson(userId, personId);
    if (!p) return { members: [] };
    const provisional = new Set(p.provisionalFaceIds ?? []);
    const ids = [...p.faceIds].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    const start =
      page.after === undefined
        ? 0
        : ids.findIndex((id) => Buffer.compare(Buffer.from(id), Buffer.from(page.after!)) > 0);
    const from = start < 0 ? ids.length : start;
    const members = ids
      .slice(from, from + page.limit)
      .map((faceId) => ({ faceId, personId, provisional: provisional.has(faceId) }));
    return from + page.limit < ids.length ? { members, nextAfter: members[members.length - 1]!.faceId } : { members };
  }

  /** Face lists are JSON arrays of quoted ids: a LIKE on the quoted id finds the holder without
   * decoding every person (ids never contain quotes or LIKE wildcards other than '_', escaped). */
  async personOfFace(userId: string, faceId: string): Promise<PersonRecord | undefined> {
    const pattern = `%${JSON.stringify(faceId).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.db
      .prepare(`SELECT * FROM people WHERE user_id = ? AND face_ids LIKE ? ESCAPE '\\'`)
      .all(userId, pattern) as PersonRow[];
    return rows.map(personFromRow).find((p) => p.faceIds.includes(faceId));
  }

  async getFaceEdit(userId: string, faceId: string): Promise<FaceEditRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM face_edits WHERE user_id = ? AND face_id = ?').get(userId, faceId) as
      FaceEditRow | undefined;
    return row ? faceEditFromRow(row) : undefined;
  }

  async listFaceEdits(userId: string): Promise<FaceEditRecord[]> {
    return (
      this.db.prepare('SELECT * FROM face_edits WHERE user_id = ? ORDER BY face_id').all(userId) as FaceEditRow[]
    ).map(faceEditFromRow);
  }

  async listAliases(userId: string): Promise<PersonAlias[]> {
    const rows = this.db
      .prepare('SELECT person_id, into_person_id, updated_at FROM person_aliases WHERE user_id = ? ORDER BY person_id')
      .all(userId) as { person_id: string; into_person_id: string; updated_at: number }[];
    return rows.map((r) => ({
      userId,
      personId: r.person_id,
      intoPersonId: r.into_person_id,
      updatedAt: r.updated_at,
    }));
  }

  /** One SQLite transaction: every version guard is checked before anything is written. */
  async commitPeopleChange(userId: string, change: PeopleChange): Promise<void> {
    const personVersion = this.db.prepare('SELECT version FROM people WHERE user_id = ? AND person_id = ?');
    const editVersion = this.db.prepare('SELECT version FROM face_edits WHERE user_id = ? AND face_id = ?');
    const check = (row: unknown, expected: number | undefined, what: string): void => {
      const actual = (row as { version: number } | undefined)?.version;
      if (actual !== expected)
        throw new EditConflictError(`${what} is at version ${actual ?? 'none'}, expected ${expected ?? 'none'}`);
    };
    this.db.transaction(() => {
      for (const { person, expectedVersion } of change.putPeople ?? []) {
        if (person.userId !== userId)
          throw new Error(`person ${person.personId} belongs to ${person.userId}, not ${userId}`);
        check(personVersion.get(userId, person.personId), expectedVersion, `person ${person.personId}`);
      }
      for (const d of change.deletePeople ?? [])
        check(personVersion.get(userId, d.personId), d.expectedVersion, `person ${d.personId}`);
      for (const { edit, expectedVersion } of change.putFaceEdits ?? [])
        check(editVersion.get(userId, edit.faceId), expectedVersion, `face ${edit.faceId}`);
      for (const j of change.joinPeople ?? [])
        check(personVersion.get(userId, j.personId), j.expectedVersion, `person ${j.personId}`);
      for (const u of change.updateHeads ?? [])
        check(personVersion.get(userId, u.head.personId), u.expectedVersion, `person ${u.head.personId}`);
      const { joined, updated } = this.headChanges(userId, change);
      const putPerson = this.db.prepare(
        `INSERT OR REPLACE INTO people (${PERSON_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const { person } of change.putPeople ?? []) putPerson.run(...personValues(person));
      for (const person of [...joined, ...updated]) putPerson.run(...personValues(person));
      const del = this.db.prepare('DELETE FROM people WHERE user_id = ? AND person_id = ?');
      for (const d of change.deletePeople ?? []) del.run(userId, d.personId);
      const putEdit = this.db.prepare(
        'INSERT OR REPLACE INTO face_edits (user_id, face_id, confirmed_person_id, rejected_person_ids, version, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const { edit: e } of change.putFaceEdits ?? [])
        putEdit.run(
          userId,
          e.faceId,
          e.confirmedPersonId ?? null,
          JSON.stringify(e.rejectedPersonIds),
          e.version ?? 0,
          e.updatedAt,
        );
      const putAlias = this.db.prepare(
        'INSERT OR REPLACE INTO person_aliases (user_id, person_id, into_person_id, updated_at) VALUES (?, ?, ?, ?)',
      );
      for (const a of change.putAliases ?? []) putAlias.run(userId, a.personId, a.intoPersonId, a.updatedAt);
    })();
  }

  /** The people a change's joins and head updates make (read inside the caller's transaction). */
  private headChanges(userId: string, change: PeopleChange): { joined: PersonRecord[]; updated: PersonRecord[] } {
    const rowOf = (personId: string): PersonRecord => {
      const row = this.db.prepare('SELECT * FROM people WHERE user_id = ? AND person_id = ?').get(userId, personId) as
        PersonRow | undefined;
      if (!row) throw new EditConflictError(`person ${personId} is gone`);
      return personFromRow(row);
    };
    const joined: PersonRecord[] = (change.joinPeople ?? []).map((j) => {
      const p = rowOf(j.personId);
      for (const f of j.faceIds) {
        const holder = this.db
          .prepare(`SELECT person_id FROM people WHERE user_id = ? AND face_ids LIKE ? ESCAPE '\\'`)
          .all(userId, `%${JSON.stringify(f).replace(/[\\%_]/g, (c) => `\\${c}`)}%`) as { person_id: string }[];
        if (holder.length > 0) throw new EditConflictError(`face ${f} is in a person already`);
      }
      return {
        ...p,
        faceIds: [...p.faceIds, ...j.faceIds].sort(),
        ...(j.provisional ? { provisionalFaceIds: sortedUnion(p.provisionalFaceIds ?? [], j.faceIds) } : {}),
        version: j.expectedVersion + 1,
        updatedAt: j.updatedAt,
      };
    });
    const updated: PersonRecord[] = (change.updateHeads ?? []).map((u) => {
      const { name: _n, hidden: _h, ...p } = rowOf(u.head.personId);
      return {
        ...p,
        ...(u.head.name !== undefined ? { name: u.head.name } : {}),
        ...(u.head.hidden !== undefined ? { hidden: u.head.hidden } : {}),
        coverFaceId: u.head.coverFaceId,
        cohesion: u.head.cohesion,
        ...(u.confirmAll ? { confirmedFaceIds: sortedUnion(p.confirmedFaceIds ?? [], p.faceIds) } : {}),
        version: u.expectedVersion + 1,
        updatedAt: u.head.updatedAt,
      };
    });
    return { joined, updated };
  }

  /** Appends an edit. A retry of the latest edit (same content) is not appended twice; the same edit
   * made again after others is, because later edits win when they are replayed. */
  async addEdit(userId: string, edit: UserEdit): Promise<void> {
    const json = JSON.stringify(edit);
    this.db.transaction(() => {
      const last = this.db.prepare('SELECT edit FROM edits WHERE user_id = ? ORDER BY seq DESC LIMIT 1').get(userId) as
        { edit: string } | undefined;
      if (last?.edit === json) return;
      this.db.prepare('INSERT INTO edits (user_id, edit) VALUES (?, ?)').run(userId, json);
    })();
  }

  async listEdits(userId: string): Promise<UserEdit[]> {
    return (
      this.db.prepare('SELECT edit FROM edits WHERE user_id = ? ORDER BY seq').all(userId) as { edit: string }[]
    ).map((r) => JSON.parse(r.edit) as UserEdit);
  }

  // Local-only: the folder scan's memory of files (not part of the FaceStore port).

  listFileStamps(userId: string): FileStamp[] {
    const rows = this.db
      .prepare('SELECT path, size, mtime_ms, content_hash FROM file_stamps WHERE user_id = ?')
      .all(userId) as { path: string; size: number; mtime_ms: number; content_hash: string }[];
    return rows.map((r) => ({ path: r.path, size: r.size, mtimeMs: r.mtime_ms, contentHash: r.content_hash }));
  }

  /** Replace the user's file stamps with the ones of the latest scan. */
  replaceFileStamps(userId: string, stamps: readonly FileStamp[]): void {
    const insert = this.db.prepare(
      'INSERT INTO file_stamps (user_id, path, size, mtime_ms, content_hash) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM file_stamps WHERE user_id = ?').run(userId);
      for (const s of stamps) insert.run(userId, s.path, s.size, s.mtimeMs, s.contentHash);
    })();
  }
}
