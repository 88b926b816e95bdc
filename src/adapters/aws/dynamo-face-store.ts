import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type TransactWriteItem,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from '#core/ports/clock.ts';
import { systemClock } from '#core/ports/clock.ts';
import {
  EditConflictError,
  type FaceEditRecord,
  type FaceRecord,
  type FaceStore,
  type PeopleChange,
  type PersonAlias,
  type PersonRecord,
  type PhotoRecord,
  type PhotoStatus,
  type UserEdit,
  type PersonExemplars,
  type VectorRecord,
  type FaceMembership,
  type MemberPage,
  type PersonHead,
  type PersonHeadUpdate,
  type PersonJoin,
} from '#core/ports/face-store.ts';
import type { Box, CropRegion, FaceQuality, FivePoints } from '#core/types.ts';
import { DEFAULT_VECTOR_CODEC, decodeVector, encodeVector, type VectorCodec } from '#adapters/shared/vector-codec.ts';
import { PENDING_INDEX, PENDING_SHARDS } from './table-schema.ts';
import {
  faceMemberSk,
  headFromItem,
  headItem,
  memberFromItem,
  memberItems,
  memberPrefix,
  memberSk,
  personFromParts,
  personSk,
  planPersonWrite,
  publicHead,
  sameHead,
  type MemberState,
  type StoredHead,
} from './person-items.ts';

type Item = Record<string, AttributeValue>;

// Key layout (docs/data-model.md): one partition per user, item type in the sort key prefix.
const pk = (userId: string): string => `USER#${userId}`;
const META = 'META';
const photoSk = (photoId: string): string => `PHOTO#${photoId}`;
const faceSk = (faceId: string): string => `FACE#${faceId}`;
const vectorSk = (modelId: string, faceId: string): string => `VEC#${modelId}#${faceId}`;
const faceEditSk = (faceId: string): string => `FEDIT#${faceId}`;
const aliasSk = (personId: string): string => `ALIAS#${personId}`;
const exemplarSk = (modelId: string, personId: string): string => `PEX#${modelId}#${personId}`;

const S = (v: string): AttributeValue => ({ S: v });
const N = (v: number): AttributeValue => ({ N: String(v) });
const str = (item: Item, name: string): string => {
  const v = item[name]?.S;
  if (v === undefined) throw new Error(`item ${item.PK?.S}/${item.SK?.S} lacks string attribute ${name}`);
  return v;
};
const num = (item: Item, name: string): number => Number(item[name]?.N ?? 'NaN');
const bytesOf = (item: Item, name: string): Uint8Array => {
  const v = item[name]?.B;
  if (!v) throw new Error(`item ${item.PK?.S}/${item.SK?.S} lacks binary attribute ${name}`);
  return v;
};

/** Exemplar id lists are gzipped (16 lines of ids per person). */
const packIds = (ids: readonly string[]): Uint8Array => new Uint8Array(gzipSync(Buffer.from(ids.join('\n'), 'utf8')));
const unpackIds = (bytes: Uint8Array): string[] => {
  const text = gunzipSync(bytes).toString('utf8');
  return text === '' ? [] : text.split('\n');
};

/** Parallel read segments of a user's vectors. */
export const VECTOR_READ_SEGMENTS = 16;

/** Contiguous, inclusive sort-key ranges that together cover every key starting with `prefix`,
 * split on the first character of the face id (photo ids are hex digests, so the segments are
 * even). A boundary is `prefix` + one character, which no key equals (face ids hold a '#'), so
 * no item falls in two ranges. */
export function vectorKeyRanges(prefix: string, segments = VECTOR_READ_SEGMENTS): [string, string][] {
  const cuts = '0123456789abcdef'
    .slice(1, segments)
    .split('')
    .map((c) => prefix + c);
  // The end: `prefix` with its last character incremented sorts after every key that starts with it.
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const bounds = [prefix, ...cuts, end];
  return bounds.slice(0, -1).map((lo, i) => [lo, bounds[i + 1]!]);
}

const shardOf = (userId: string): string =>
  `PENDING#${createHash('sha256').update(userId).digest()[0]! % PENDING_SHARDS}`;

function photoItem(p: PhotoRecord): Item {
  return {
    PK: S(pk(p.userId)),
    SK: S(photoSk(p.photoId)),
    type: S('photo'),
    userId: S(p.userId),
    photoId: S(p.photoId),
    sourceKey: S(p.sourceKey),
    contentHash: S(p.contentHash),
    width: N(p.width),
    height: N(p.height),
    status: S(p.status),
    faceCount: N(p.faceCount),
    updatedAt: N(p.updatedAt),
    ...(p.error ? { errorCode: S(p.error.code), errorMessage: S(p.error.message) } : {}),
  };
}
function photoFromItem(i: Item): PhotoRecord {
  return {
    userId: str(i, 'userId'),
    photoId: str(i, 'photoId'),
    sourceKey: str(i, 'sourceKey'),
    contentHash: str(i, 'contentHash'),
    width: num(i, 'width'),
    height: num(i, 'height'),
    status: str(i, 'status') as PhotoStatus,
    ...(i.errorCode?.S !== undefined ? { error: { code: i.errorCode.S, message: i.errorMessage?.S ?? '' } } : {}),
    faceCount: num(i, 'faceCount'),
    updatedAt: num(i, 'updatedAt'),
  };
}
function faceItem(f: FaceRecord): Item {
  return {
    PK: S(pk(f.userId)),
    SK: S(faceSk(f.faceId)),
    type: S('face'),
    userId: S(f.userId),
    faceId: S(f.faceId),
    photoId: S(f.photoId),
    box: S(JSON.stringify(f.box)),
    score: N(f.score),
    landmarks: S(JSON.stringify(f.landmarks)),
    quality: S(JSON.stringify(f.quality)),
    ...(f.cropKey !== undefined ? { cropKey: S(f.cropKey) } : {}),
    ...(f.cropRegion !== undefined ? { cropRegion: S(JSON.stringify(f.cropRegion)) } : {}),
  };
}
function faceFromItem(i: Item): FaceRecord {
  return {
    userId: str(i, 'userId'),
    faceId: str(i, 'faceId'),
    photoId: str(i, 'photoId'),
    box: JSON.parse(str(i, 'box')) as Box,
    score: num(i, 'score'),
    landmarks: JSON.parse(str(i, 'landmarks')) as FivePoints,
    quality: JSON.parse(str(i, 'quality')) as FaceQuality,
    ...(i.cropKey?.S !== undefined ? { cropKey: i.cropKey.S } : {}),
    ...(i.cropRegion?.S !== undefined ? { cropRegion: JSON.parse(i.cropRegion.S) as CropRegion } : {}),
  };
}
function vectorFromItem(i: Item): VectorRecord {
  return {
    userId: str(i, 'userId'),
    faceId: str(i, 'faceId'),
    photoId: str(i, 'photoId'),
    modelId: str(i, 'modelId'),
    modelVersion: str(i, 'modelVersion'),
    vector: decodeVector(bytesOf(i, 'vector'), num(i, 'dim')),
  };
}
const exemplarIds = (e: PersonExemplars): string[] =>
  e.vectors.map((v) => `${v.faceId}\t${v.photoId}\t${v.modelVersion}`);
function exemplarsFromItem(userId: string, modelId: string, i: Item): PersonExemplars {
  const ids = unpackIds(bytesOf(i, 'ids'));
  const bytes = bytesOf(i, 'vectors');
  const size = ids.length > 0 ? bytes.length / ids.length : 0;
  return {
    personId: str(i, 'personId'),
    ...(i.personVersion?.N !== undefined ? { personVersion: Number(i.personVersion.N) } : {}),
    vectors: ids.map((line, j) => {
      const [faceId = '', photoId = '', modelVersion = ''] = line.split('\t');
      const vector = decodeVector(bytes.subarray(j * size, (j + 1) * size), num(i, 'dim'));
      return { userId, faceId, photoId, modelId, modelVersion, vector };
    }),
  };
}
function faceEditItem(e: FaceEditRecord): Item {
  return {
    PK: S(pk(e.userId)),
    SK: S(faceEditSk(e.faceId)),
    type: S('face-edit'),
    userId: S(e.userId),
    faceId: S(e.faceId),
    ...(e.confirmedPersonId !== undefined ? { confirmedPersonId: S(e.confirmedPersonId) } : {}),
    rejectedPersonIds: S(JSON.stringify(e.rejectedPersonIds)),
    version: N(e.version ?? 0),
    updatedAt: N(e.updatedAt),
  };
}
function faceEditFromItem(i: Item): FaceEditRecord {
  return {
    userId: str(i, 'userId'),
    faceId: str(i, 'faceId'),
    ...(i.confirmedPersonId?.S !== undefined ? { confirmedPersonId: i.confirmedPersonId.S } : {}),
    rejectedPersonIds: JSON.parse(str(i, 'rejectedPersonIds')) as string[],
    version: num(i, 'version'),
    updatedAt: num(i, 'updatedAt'),
  };
}

/** A person item of the format before per-face membership (its face ids gzipped in `faceIds`): read
 * as it was, so whole-person reads (the clustering run, edits) keep the person until the next run
 * rewrites it as a head and memberships. Undefined for a head. */
function legacyPerson(i: Item): PersonRecord | undefined {
  const packed = i.faceIds?.B;
  if (!packed) return undefined;
  const { faceCount: _n, removedAtVersion: _r, confirmedThrough: _c, ...head } = headFromItem(i);
  const faceIds = unpackIds(packed);
  const confirmed = i.confirmedAll?.BOOL
    ? faceIds
    : i.confirmedFaceIds?.B
      ? unpackIds(i.confirmedFaceIds.B)
      : undefined;
  const provisional = i.provisionalFaceIds?.B ? unpackIds(i.provisionalFaceIds.B) : undefined;
  return {
    ...head,
    faceIds,
    ...(confirmed ? { confirmedFaceIds: confirmed } : {}),
    ...(provisional ? { provisionalFaceIds: provisional } : {}),
  };
}

/** Condition for a versioned put: the stored version is the one read (absent counts as 0), or the
 * item must not exist yet. */
function versionGuard(
  expected: number | undefined,
): Pick<TransactWriteItem['Put'] & object, 'ConditionExpression' | 'ExpressionAttributeValues'> {
  if (expected === undefined) return { ConditionExpression: 'attribute_not_exists(SK)' };
  if (expected === 0)
    return {
      ConditionExpression: 'attribute_exists(SK) AND (attribute_not_exists(version) OR version = :v)',
      ExpressionAttributeValues: { ':v': N(0) },
    };
  return { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': N(expected) } };
}

/** TransactWriteItems takes at most 100 items. */
const TRANSACTION_ITEMS = 100;

/** People whose exemplars one store instance keeps in memory (see listExemplars). */
const EXEMPLAR_CACHE_PEOPLE = 2_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** FaceStore on one DynamoDB table (single-table design, docs/data-model.md). Every item of a user
 * lives in the partition `USER#<userId>`, so no query can cross users. Keys are deterministic, so
 * repeated deliveries overwrite rather than duplicate.
 *
 * Beyond the port it keeps the per-user "needs clustering" marker that the cloud pipeline uses
 * (the local CLI clusters synchronously and needs none). */
export class DynamoFaceStore implements FaceStore {
  constructor(
    private readonly db: DynamoDBClient,
    readonly table: string,
    private readonly clock: Clock = systemClock,
    /** int8 by default: one write unit per vector instead of three (see the codec module). */
    private readonly vectorCodec: VectorCodec = DEFAULT_VECTOR_CODEC,
  ) {}

  // ---- low-level helpers -------------------------------------------------------------------

  /** Exemplar sets of recent users kept by listExemplars (people, each ≤ 16 vectors of ~2 KB
   * decoded: at most ~64 MB). */
  private readonly exemplarCache = new Map<string, { stamp: string; exemplars: PersonExemplars[] }>();

  private async query(userId: string, skPrefix: string, projection?: string, consistent = false): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
          ExpressionAttributeValues: { ':pk': S(pk(userId)), ':sk': S(skPrefix) },
          ...(projection ? { ProjectionExpression: projection } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
          ...(consistent ? { ConsistentRead: true } : {}),
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Every item with `lo <= SK <= hi`, paging. */
  private async queryBetween(userId: string, lo: string, hi: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': S(pk(userId)), ':lo': S(lo), ':hi': S(hi) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** BatchWriteItem in chunks of 25, retrying unprocessed items with backoff (throttling). */
  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: WriteRequest[] = requests.slice(i, i + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 8)
          throw new Error(`DynamoDB left ${pending.length} writes unprocessed after ${attempt} attempts`);
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
        const res = await this.db.send(new BatchWriteItemCommand({ RequestItems: { [this.table]: pending } }));
        pending = res.UnprocessedItems?.[this.table] ?? [];
      }
    }
  }

  private del(userId: string, sk: string): WriteRequest {
    return { DeleteRequest: { Key: { PK: S(pk(userId)), SK: S(sk) } } };
  }

  /** Model ids this user has vectors for (kept on the META item), so a face's vectors can be
   * deleted by key without reading them. */
  private async modelsOf(userId: string, consistent = false): Promise<string[]> {
    const res = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(META) },
        ProjectionExpression: 'models',
        ConsistentRead: consistent,
      }),
    );
    return res.Item?.models?.SS ?? [];
  }

  // ---- FaceStore ----------------------------------------------------------------------------

  async putPhoto(photo: PhotoRecord): Promise<void> {
    await this.db.send(new PutItemCommand({ TableName: this.table, Item: photoItem(photo) }));
  }

  async getPhoto(userId: string, photoId: string): Promise<PhotoRecord | undefined> {
    const res = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(photoSk(photoId)) },
        ConsistentRead: true,
      }),
    );
    return res.Item ? photoFromItem(res.Item) : undefined;
  }

  async listPhotos(userId: string): Promise<PhotoRecord[]> {
    return (await this.query(userId, 'PHOTO#')).map(photoFromItem);
  }

  async replaceFaces(userId: string, photoId: string, faces: readonly FaceRecord[]): Promise<void> {
    for (const f of faces) {
      if (f.userId !== userId || f.photoId !== photoId)
        throw new Error(`face ${f.faceId} belongs to ${f.userId}/${f.photoId}, not ${userId}/${photoId}`);
    }
    const existing = await this.query(userId, faceSk(`${photoId}#`));
    const next = new Map(faces.map((f) => [f.faceId, faceItem(f)]));
    const writes: WriteRequest[] = [];
    let models: string[] | undefined;
    for (const old of existing) {
      const faceId = str(old, 'faceId');
      const now = next.get(faceId);
      // A face that is gone, or whose geometry changed, loses its vectors: they described other pixels.
      if (!now || now.box?.S !== old.box?.S || now.landmarks?.S !== old.landmarks?.S) {
        models ??= await this.modelsOf(userId);
        for (const m of models) writes.push(this.del(userId, vectorSk(m, faceId)));
      }
      if (!now) writes.push(this.del(userId, faceSk(faceId)));
    }
    for (const item of next.values()) writes.push({ PutRequest: { Item: item } });
    await this.batchWrite(writes);
  }

  async listFaces(userId: string): Promise<FaceRecord[]> {
    return (await this.query(userId, 'FACE#')).map(faceFromItem);
  }

  async listFacesOfPhoto(userId: string, photoId: string): Promise<FaceRecord[]> {
    return (await this.query(userId, faceSk(`${photoId}#`))).map(faceFromItem);
  }

  async putVectors(vectors: readonly VectorRecord[]): Promise<void> {
    // Record the models first: a crash between the two writes leaves a harmless extra model id,
    // never a vector that deletes cannot find.
    const modelsByUser = new Map<string, Set<string>>();
    for (const v of vectors) {
      if (!modelsByUser.has(v.userId)) modelsByUser.set(v.userId, new Set());
      modelsByUser.get(v.userId)!.add(v.modelId);
    }
    for (const [userId, models] of modelsByUser) {
      // Almost always recorded already (every photo of a user after the first): a consistent read
      // (1 read unit) instead of a write (1 write unit, 5x the price) in that case.
      const known = new Set(await this.modelsOf(userId, true));
      if ([...models].every((m) => known.has(m))) continue;
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { PK: S(pk(userId)), SK: S(META) },
          UpdateExpression: 'ADD models :m',
          ExpressionAttributeValues: { ':m': { SS: [...models] } },
        }),
      );
    }
    await this.batchWrite(
      vectors.map((v) => ({
        PutRequest: {
          Item: {
            PK: S(pk(v.userId)),
            SK: S(vectorSk(v.modelId, v.faceId)),
            type: S('vector'),
            userId: S(v.userId),
            faceId: S(v.faceId),
            photoId: S(v.photoId),
            modelId: S(v.modelId),
            modelVersion: S(v.modelVersion),
            dim: N(v.vector.length),
            vector: { B: encodeVector(v.vector, this.vectorCodec) },
          },
        },
      })),
    );
  }

  /** Reads the vectors in VECTOR_READ_SEGMENTS key ranges at once instead of one 1 MB page after
   * another: a 1M-face library is ~700 pages, which one sequential Query chain reads in minutes. */
  async listVectors(userId: string, modelId: string, modelVersion?: string): Promise<VectorRecord[]> {
    const prefix = `VEC#${modelId}#`;
    const segments = await Promise.all(vectorKeyRanges(prefix).map(([lo, hi]) => this.queryBetween(userId, lo, hi)));
    // Items carry the model version (content hash): another model's vectors under the same id are
    // left out before they are decoded (a filter expression would be billed the same reads).
    const items =
      modelVersion === undefined ? segments.flat() : segments.flat().filter((i) => i.modelVersion?.S === modelVersion);
    return items.map(vectorFromItem);
  }

  /** BatchGetItem of the faces' vector items, strongly consistent: the candidates of an
   * assignment were written by the same invocation a moment before. */
  async getVectors(
    userId: string,
    modelId: string,
    faceIds: readonly string[],
    modelVersion?: string,
  ): Promise<VectorRecord[]> {
    const keys = [...new Set(faceIds)].map((f) => ({ PK: S(pk(userId)), SK: S(vectorSk(modelId, f)) }));
    const items = await this.batchGet(keys, true);
    return items.filter((i) => modelVersion === undefined || i.modelVersion?.S === modelVersion).map(vectorFromItem);
  }

  /** One item per person (`PEX#<model>#<person>`): its exemplars' ids and vectors, ~0.6 KB each.
   * Kept in this container between calls, keyed by the stamp the last replaceExemplars left on
   * META: a warm Lambda reads 1 unit (META) per photo instead of every exemplar, until the next
   * clustering run of that user changes them. */
  async listExemplars(userId: string, modelId: string): Promise<PersonExemplars[]> {
    const key = `${userId}\n${modelId}`;
    const stamp = await this.exemplarStamp(userId);
    const cached = this.exemplarCache.get(key);
    if (stamp !== undefined && cached?.stamp === stamp) return cached.exemplars;
    // Eventually consistent: exemplars a moment stale are the previous run's, still filtered against
    // the people's current faces on use.
    const exemplars = (await this.query(userId, exemplarSk(modelId, ''))).map((i) =>
      exemplarsFromItem(userId, modelId, i),
    );
    this.exemplarCache.delete(key);
    if (stamp !== undefined) this.exemplarCache.set(key, { stamp, exemplars });
    let held = [...this.exemplarCache.values()].reduce((n, c) => n + c.exemplars.length, 0);
    // Oldest users out first (a Map iterates in insertion order) while over the budget.
    for (const [k, c] of this.exemplarCache) {
      if (held <= EXEMPLAR_CACHE_PEOPLE) break;
      this.exemplarCache.delete(k);
      held -= c.exemplars.length;
    }
    return exemplars;
  }

  private async exemplarStamp(userId: string): Promise<string | undefined> {
    const res = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(META) },
        ProjectionExpression: 'exemplarStamp',
        ConsistentRead: true,
      }),
    );
    return res.Item?.exemplarStamp?.S;
  }

  /** Writes only the people whose exemplars changed (same faces and model versions: the same
   * vectors): a write unit costs 20 times a read unit per KB, and most people do not change between
   * two runs. */
  async replaceExemplars(userId: string, modelId: string, exemplars: readonly PersonExemplars[]): Promise<void> {
    const keep = new Set(exemplars.map((e) => exemplarSk(modelId, e.personId)));
    const stored = new Map(
      (await this.query(userId, exemplarSk(modelId, ''))).map((i) => [str(i, 'SK'), unpackIds(bytesOf(i, 'ids'))]),
    );
    const writes: WriteRequest[] = exemplars
      .filter((e) => e.vectors.length > 0)
      .filter((e) => stored.get(exemplarSk(modelId, e.personId))?.join('\n') !== exemplarIds(e).join('\n'))
      .map((e) => ({ PutRequest: { Item: this.exemplarItem(userId, modelId, e) } }));
    for (const sk of stored.keys()) if (!keep.has(sk)) writes.push(this.del(userId, sk));
    if (writes.length === 0) return;
    await this.batchWrite(writes);
    // After the items: a reader that sees the new stamp reads (and caches) the new exemplars.
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(META) },
        UpdateExpression: 'SET exemplarStamp = :s',
        ExpressionAttributeValues: { ':s': S(`${modelId}@${this.clock.now()}-${randomUUID()}`) },
      }),
    );
  }

  private exemplarItem(userId: string, modelId: string, e: PersonExemplars): Item {
    const encoded = e.vectors.map((v) => encodeVector(v.vector, this.vectorCodec));
    const vectors = new Uint8Array(encoded.reduce((n, b) => n + b.length, 0));
    encoded.reduce((at, b) => (vectors.set(b, at), at + b.length), 0);
    return {
      PK: S(pk(userId)),
      SK: S(exemplarSk(modelId, e.personId)),
      type: S('exemplars'),
      personId: S(e.personId),
      ids: { B: packIds(exemplarIds(e)) },
      dim: N(e.vectors[0]!.vector.length),
      vectors: { B: vectors },
      ...(e.personVersion !== undefined ? { personVersion: N(e.personVersion) } : {}),
    };
  }

  /** BatchGetItem, 100 keys a request, retrying unprocessed keys. */
  private async batchGet(keys: readonly Item[], consistent: boolean): Promise<Item[]> {
    const out: Item[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Item[] | undefined = keys.slice(i, i + 100);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 8) throw new Error(`DynamoDB left ${pending.length} reads unprocessed after ${attempt} attempts`);
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
        const res: BatchGetItemCommandOutput = await this.db.send(
          new BatchGetItemCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: consistent } } }),
        );
        out.push(...(res.Responses?.[this.table] ?? []));
        pending = res.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return out;
  }

  async deletePhoto(userId: string, photoId: string): Promise<void> {
    const faces = await this.query(userId, faceSk(`${photoId}#`), 'faceId');
    const faceIds = faces.map((f) => str(f, 'faceId'));
    const [models, memberships] = await Promise.all([
      faces.length > 0 ? this.modelsOf(userId) : Promise.resolve([]),
      this.storedMemberships(userId, faceIds, true),
    ]);
    const writes: WriteRequest[] = [];
    for (const faceId of faceIds) {
      for (const m of models) writes.push(this.del(userId, vectorSk(m, faceId)));
      writes.push(this.del(userId, faceSk(faceId)));
    }
    // The faces leave their people: both membership items, and the heads' counts (the next
    // clustering run, which the removal flags, picks a new cover if it was one of these faces).
    for (const m of memberships)
      writes.push(this.del(userId, memberSk(m.personId, m.faceId)), this.del(userId, faceMemberSk(m.faceId)));
    writes.push(this.del(userId, photoSk(photoId)));
    await this.batchWrite(writes);
    const leaving = new Map<string, number>();
    for (const m of memberships) leaving.set(m.personId, (leaving.get(m.personId) ?? 0) + 1);
    for (const [personId, n] of leaving)
      await this.db
        .send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: { PK: S(pk(userId)), SK: S(personSk(personId)) },
            UpdateExpression: 'ADD faceCount :n',
            ConditionExpression: 'attribute_exists(SK)',
            ExpressionAttributeValues: { ':n': N(-n) },
          }),
        )
        .catch((err: unknown) => {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        });
  }

  // ---- people: a bounded head per person, one membership per face (person-items.ts) -----------

  /** Memberships stored on the face side (`FMEM#`), by key. */
  private async storedMemberships(
    userId: string,
    faceIds: readonly string[],
    consistent: boolean,
  ): Promise<MemberState[]> {
    const keys = [...new Set(faceIds)].map((f) => ({ PK: S(pk(userId)), SK: S(faceMemberSk(f)) }));
    return keys.length === 0 ? [] : (await this.batchGet(keys, consistent)).map(memberFromItem);
  }

  private async storedHead(userId: string, personId: string): Promise<StoredHead | undefined> {
    const res = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(personSk(personId)) },
        ConsistentRead: true,
      }),
    );
    return res.Item ? headFromItem(res.Item) : undefined;
  }

  /** Every member of one person, in store order (a Query of its `PMEM#<personId>#` items). */
  private async membersOf(userId: string, personId: string, consistent: boolean): Promise<MemberState[]> {
    return (await this.query(userId, memberPrefix(personId), undefined, consistent)).map(memberFromItem);
  }

  /** The clustering run's write: only the heads and memberships that differ from what is stored
   * (read in three Queries: heads, both membership families), in idempotent batches. Not atomic
   * across items: a reader during the swap may briefly see old and new people together (ids are
   * stable, so they are the same people); the next read converges. Membership items that belong to
   * no person (left by an interrupted write) are dropped here. */
  async replacePeople(userId: string, people: readonly PersonRecord[]): Promise<void> {
    for (const p of people)
      if (p.userId !== userId) throw new Error(`person ${p.personId} belongs to ${p.userId}, not ${userId}`);
    const [headItems, personSide, faceSide] = await Promise.all([
      this.query(userId, 'PERSON#', undefined, true),
      this.query(userId, 'PMEM#', undefined, true),
      this.query(userId, 'FMEM#', undefined, true),
    ]);
    const heads = new Map(headItems.map((i) => [str(i, 'personId'), headFromItem(i)]));
    const legacy = new Set(headItems.filter((i) => i.faceIds?.B !== undefined).map((i) => str(i, 'personId')));
    const storedByPerson = new Map<string, Map<string, MemberState>>();
    for (const m of personSide.map(memberFromItem)) {
      if (!storedByPerson.has(m.personId)) storedByPerson.set(m.personId, new Map());
      storedByPerson.get(m.personId)!.set(m.faceId, m);
    }
    const memberPuts = new Map<string, Item>();
    const headPuts: Item[] = [];
    const deletes = new Set<string>();
    const wantedFaceSide = new Map<string, MemberState>();
    const kept = new Set(people.map((p) => p.personId));
    for (const p of people) {
      const stored = storedByPerson.get(p.personId) ?? new Map<string, MemberState>();
      const plan = planPersonWrite(p, heads.get(p.personId), stored);
      const storedHead = heads.get(p.personId);
      // A head of the former format carries its members' list: rewritten, whatever it says.
      if (!storedHead || legacy.has(p.personId) || !sameHead(storedHead, plan.head))
        headPuts.push(headItem(pk(userId), plan.head));
      const written = new Map(plan.put.map((m) => [m.faceId, m]));
      for (const m of plan.put) {
        const [personItem] = memberItems(pk(userId), m);
        memberPuts.set(str(personItem, 'SK'), personItem);
      }
      for (const m of plan.gone) deletes.add(memberSk(p.personId, m.faceId));
      for (const f of p.faceIds) wantedFaceSide.set(f, written.get(f) ?? stored.get(f)!);
    }
    for (const [personId, members] of storedByPerson)
      if (!kept.has(personId)) for (const faceId of members.keys()) deletes.add(memberSk(personId, faceId));
    for (const personId of heads.keys()) if (!kept.has(personId)) deletes.add(personSk(personId));
    // The face side is compared on its own, so a face item that disagrees with the person side
    // (an interrupted edit) is repaired too.
    const storedFaceSide = new Map(faceSide.map((i) => [str(i, 'faceId'), memberFromItem(i)]));
    for (const [faceId, m] of wantedFaceSide) {
      const have = storedFaceSide.get(faceId);
      if (have && JSON.stringify(have) === JSON.stringify(m)) continue;
      const [, faceItem] = memberItems(pk(userId), m);
      memberPuts.set(str(faceItem, 'SK'), faceItem);
    }
    for (const faceId of storedFaceSide.keys()) if (!wantedFaceSide.has(faceId)) deletes.add(faceMemberSk(faceId));
    // Members before heads: a head never counts faces whose items are not there yet.
    await this.batchWrite([...memberPuts.values()].map((Item) => ({ PutRequest: { Item } })));
    await this.batchWrite(headPuts.map((Item) => ({ PutRequest: { Item } })));
    await this.batchWrite([...deletes].filter((sk) => !memberPuts.has(sk)).map((sk) => this.del(userId, sk)));
  }

  /** Every person with every member: O(faces of the user) (the clustering run, the CLI). Hot paths
   * use listPersonHeads, membershipsOf and listPersonMembers instead. */
  async listPeople(userId: string): Promise<PersonRecord[]> {
    const [headItems, memberItemsRead] = await Promise.all([
      this.query(userId, 'PERSON#'),
      this.query(userId, 'PMEM#'),
    ]);
    const byPerson = new Map<string, MemberState[]>();
    for (const m of memberItemsRead.map(memberFromItem)) {
      if (!byPerson.has(m.personId)) byPerson.set(m.personId, []);
      byPerson.get(m.personId)!.push(m);
    }
    return headItems.map(
      (i) => legacyPerson(i) ?? personFromParts(headFromItem(i), byPerson.get(str(i, 'personId')) ?? []),
    );
  }

  /** The head and a Query of the person's memberships (both strongly consistent): O(that person). */
  async getPerson(userId: string, personId: string): Promise<PersonRecord | undefined> {
    const [head, members] = await Promise.all([
      this.db.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { PK: S(pk(userId)), SK: S(personSk(personId)) },
          ConsistentRead: true,
        }),
      ),
      this.membersOf(userId, personId, true),
    ]);
    if (!head.Item) return undefined;
    return legacyPerson(head.Item) ?? personFromParts(headFromItem(head.Item), members);
  }

  async listPersonHeads(userId: string): Promise<PersonHead[]> {
    return (await this.query(userId, 'PERSON#')).map((i) => publicHead(headFromItem(i)));
  }

  /** BatchGetItem of the heads, strongly consistent: edits and joins guard on the version read. */
  async getPersonHeads(userId: string, personIds: readonly string[]): Promise<PersonHead[]> {
    const keys = [...new Set(personIds)].map((id) => ({ PK: S(pk(userId)), SK: S(personSk(id)) }));
    return keys.length === 0 ? [] : (await this.batchGet(keys, true)).map((i) => publicHead(headFromItem(i)));
  }

  /** BatchGetItem of the faces' `FMEM#` items: O(faces asked), whatever the people's sizes. */
  async membershipsOf(userId: string, faceIds: readonly string[]): Promise<FaceMembership[]> {
    return (await this.storedMemberships(userId, faceIds, false)).map((m) => ({
      faceId: m.faceId,
      personId: m.personId,
      provisional: m.provisional,
    }));
  }

  /** A Query of `PMEM#<personId>#` from the key after `after`, `limit` items (one more read to know
   * whether a next page exists). */
  async listPersonMembers(
    userId: string,
    personId: string,
    page: { readonly after?: string; readonly limit: number },
  ): Promise<MemberPage> {
    const out: MemberState[] = [];
    let start: Item | undefined =
      page.after !== undefined ? { PK: S(pk(userId)), SK: S(memberSk(personId, page.after)) } : undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
          ExpressionAttributeValues: { ':pk': S(pk(userId)), ':sk': S(memberPrefix(personId)) },
          Limit: page.limit + 1 - out.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      out.push(...(res.Items ?? []).map(memberFromItem));
      start = res.LastEvaluatedKey;
    } while (start && out.length <= page.limit);
    const members = out.slice(0, page.limit).map((m) => ({
      faceId: m.faceId,
      personId: m.personId,
      provisional: m.provisional,
    }));
    return out.length > page.limit ? { members, nextAfter: members[members.length - 1]!.faceId } : { members };
  }

  private editItem(userId: string, edit: UserEdit, now: number): Item {
    const json = JSON.stringify(edit);
    const sk = `EDIT#${String(now).padStart(15, '0')}#${createHash('sha256').update(json).digest('hex').slice(0, 12)}`;
    return { PK: S(pk(userId)), SK: S(sk), type: S('edit'), edit: S(json) };
  }

  /** Edits sort by time, then by content: replaying them in key order reproduces the user's order,
   * and the same edit sent twice in the same millisecond is one item. */
  async addEdit(userId: string, edit: UserEdit): Promise<void> {
    await this.db.send(
      new PutItemCommand({ TableName: this.table, Item: this.editItem(userId, edit, this.clock.now()) }),
    );
  }

  /** Several edits of one user action, in one batch (a merge links every face of both people). */
  async addEdits(userId: string, edits: readonly UserEdit[]): Promise<void> {
    const now = this.clock.now();
    const items = new Map(edits.map((e) => this.editItem(userId, e, now)).map((i) => [i.SK!.S!, i]));
    await this.batchWrite([...items.values()].map((Item) => ({ PutRequest: { Item } })));
  }

  async getFace(userId: string, faceId: string): Promise<FaceRecord | undefined> {
    const res = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(faceSk(faceId)) },
        ConsistentRead: true,
      }),
    );
    return res.Item ? faceFromItem(res.Item) : undefined;
  }

  /** BatchGetItem, 100 keys a request (eventually consistent: what a listing shows). */
  async getFaces(userId: string, faceIds: readonly string[]): Promise<FaceRecord[]> {
    const keys = [...new Set(faceIds)].map((faceId) => ({ PK: S(pk(userId)), SK: S(faceSk(faceId)) }));
    return (await this.batchGet(keys, false)).map(faceFromItem);
  }

  /** The face's `FMEM#` item by key, then that one person. */
  async personOfFace(userId: string, faceId: string): Promise<PersonRecord | undefined> {
    const res = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(faceMemberSk(faceId)) },
        ConsistentRead: true,
      }),
    );
    return res.Item ? this.getPerson(userId, str(res.Item, 'personId')) : undefined;
  }

  async getFaceEdit(userId: string, faceId: string): Promise<FaceEditRecord | undefined> {
    const res = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(faceEditSk(faceId)) },
        ConsistentRead: true,
      }),
    );
    return res.Item ? faceEditFromItem(res.Item) : undefined;
  }

  async listFaceEdits(userId: string): Promise<FaceEditRecord[]> {
    return (await this.query(userId, 'FEDIT#')).map(faceEditFromItem);
  }

  async listAliases(userId: string): Promise<PersonAlias[]> {
    return (await this.query(userId, 'ALIAS#')).map((i) => ({
      userId,
      personId: str(i, 'personId'),
      intoPersonId: str(i, 'intoPersonId'),
      updatedAt: num(i, 'updatedAt'),
    }));
  }

  /** An edit's writes. The version-guarded records (heads, face edits, aliases, the joins' face
   * sides) go in one TransactWriteItems, all or nothing. Memberships that follow from a whole
   * person written (a move, a merge) ride in the same transaction when everything fits its 100
   * items; a larger change (merging people of thousands of faces) writes them afterwards in
   * idempotent batches, after the guards passed: if that fails, the user is flagged for clustering,
   * whose run rewrites every membership that differs. A failed guard is EditConflictError. */
  async commitPeopleChange(userId: string, change: PeopleChange): Promise<void> {
    const Key = (sk: string): Item => ({ PK: S(pk(userId)), SK: S(sk) });
    const guarded: TransactWriteItem[] = [];
    const memberPuts = new Map<string, Item>();
    const memberDeletes = new Set<string>();
    const putPeople = change.putPeople ?? [];
    for (const { person } of putPeople)
      if (person.userId !== userId)
        throw new Error(`person ${person.personId} belongs to ${person.userId}, not ${userId}`);
    const [storedPuts, storedDeletes] = await Promise.all([
      Promise.all(
        putPeople.map(({ person }) =>
          Promise.all([this.storedHead(userId, person.personId), this.membersOf(userId, person.personId, true)]),
        ),
      ),
      Promise.all((change.deletePeople ?? []).map((d) => this.membersOf(userId, d.personId, true))),
    ]);
    putPeople.forEach(({ person, expectedVersion }, i) => {
      const [head, members] = storedPuts[i]!;
      const plan = planPersonWrite(person, head, new Map(members.map((m) => [m.faceId, m])));
      guarded.push({
        Put: { TableName: this.table, Item: headItem(pk(userId), plan.head), ...versionGuard(expectedVersion) },
      });
      for (const m of plan.put) for (const item of memberItems(pk(userId), m)) memberPuts.set(str(item, 'SK'), item);
      for (const m of plan.gone) memberDeletes.add(memberSk(m.personId, m.faceId)).add(faceMemberSk(m.faceId));
    });
    (change.deletePeople ?? []).forEach((d, i) => {
      guarded.push({
        Delete: { TableName: this.table, Key: Key(personSk(d.personId)), ...versionGuard(d.expectedVersion) },
      });
      for (const m of storedDeletes[i]!) memberDeletes.add(memberSk(m.personId, m.faceId)).add(faceMemberSk(m.faceId));
    });
    for (const { edit, expectedVersion } of change.putFaceEdits ?? [])
      guarded.push({
        Put: { TableName: this.table, Item: faceEditItem({ ...edit, userId }), ...versionGuard(expectedVersion) },
      });
    for (const a of change.putAliases ?? [])
      guarded.push({
        Put: {
          TableName: this.table,
          Item: {
            ...Key(aliasSk(a.personId)),
            type: S('alias'),
            personId: S(a.personId),
            intoPersonId: S(a.intoPersonId),
            updatedAt: N(a.updatedAt),
          },
        },
      });
    for (const j of change.joinPeople ?? []) guarded.push(...this.joinWrites(userId, j));
    for (const u of change.updateHeads ?? []) guarded.push(this.headUpdate(userId, u));
    const memberWrites: TransactWriteItem[] = [
      ...[...memberPuts.values()].map((Item) => ({ Put: { TableName: this.table, Item } })),
      ...[...memberDeletes]
        .filter((sk) => !memberPuts.has(sk))
        .map((sk) => ({ Delete: { TableName: this.table, Key: Key(sk) } })),
    ];
    if (guarded.length + memberWrites.length === 0) return;
    const together = guarded.length + memberWrites.length <= TRANSACTION_ITEMS;
    await this.transact(together ? [...guarded, ...memberWrites] : guarded);
    if (together) return;
    try {
      await this.batchWrite(
        memberWrites.map((w) =>
          w.Put ? { PutRequest: { Item: w.Put.Item } } : { DeleteRequest: { Key: w.Delete!.Key } },
        ),
      );
    } catch (err) {
      await this.markNeedsClustering(userId);
      throw err;
    }
  }

  /** A join: the head moves one version on (guarded) and counts the faces; each face gets its two
   * membership items, the face side only if the face is in no person yet. */
  private joinWrites(userId: string, j: PersonJoin): TransactWriteItem[] {
    const guard = versionGuard(j.expectedVersion);
    const since = j.expectedVersion + 1;
    const writes: TransactWriteItem[] = [
      {
        Update: {
          TableName: this.table,
          Key: { PK: S(pk(userId)), SK: S(personSk(j.personId)) },
          UpdateExpression: 'SET version = :next, updatedAt = :at ADD faceCount :n',
          ConditionExpression: guard.ConditionExpression,
          ExpressionAttributeValues: {
            ...guard.ExpressionAttributeValues,
            ':next': N(since),
            ':at': N(j.updatedAt),
            ':n': N(j.faceIds.length),
          },
        },
      },
    ];
    for (const faceId of j.faceIds) {
      const [personItem, faceItem] = memberItems(pk(userId), {
        faceId,
        personId: j.personId,
        since,
        confirmed: false,
        provisional: j.provisional,
      });
      writes.push(
        { Put: { TableName: this.table, Item: personItem } },
        { Put: { TableName: this.table, Item: faceItem, ConditionExpression: 'attribute_not_exists(SK)' } },
      );
    }
    return writes;
  }

  /** A head's bounded fields rewritten in place (members untouched); `confirmAll` confirms every
   * face there at this version (person-items.ts). */
  private headUpdate(userId: string, u: PersonHeadUpdate): TransactWriteItem {
    const h = u.head;
    const guard = versionGuard(u.expectedVersion);
    const set = ['version = :next', 'updatedAt = :at', 'coverFaceId = :cover', 'cohesion = :cohesion'];
    const remove: string[] = [];
    const values: Item = {
      ...guard.ExpressionAttributeValues,
      ':next': N(u.expectedVersion + 1),
      ':at': N(h.updatedAt),
      ':cover': S(h.coverFaceId),
      ':cohesion': N(h.cohesion),
    };
    if (h.name !== undefined) {
      set.push('#name = :name');
      values[':name'] = S(h.name);
    } else remove.push('#name');
    if (h.hidden !== undefined) {
      set.push('#hidden = :hidden');
      values[':hidden'] = { BOOL: h.hidden };
    } else remove.push('#hidden');
    if (u.confirmAll) set.push('confirmedThrough = :next');
    return {
      Update: {
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(personSk(h.personId)) },
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: guard.ConditionExpression,
        ExpressionAttributeNames: { '#name': 'name', '#hidden': 'hidden' },
        ExpressionAttributeValues: values,
      },
    };
  }

  private async transact(items: TransactWriteItem[]): Promise<void> {
    try {
      await this.db.send(new TransactWriteItemsCommand({ TransactItems: items }));
    } catch (err) {
      const reasons = err instanceof TransactionCanceledException ? (err.CancellationReasons ?? []) : [];
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict'))
        throw new EditConflictError();
      if (err instanceof TransactionCanceledException && /TransactionConflict|ConditionalCheckFailed/.test(err.message))
        throw new EditConflictError();
      throw err;
    }
  }

  async listEdits(userId: string): Promise<UserEdit[]> {
    return (await this.query(userId, 'EDIT#')).map((i) => JSON.parse(str(i, 'edit')) as UserEdit);
  }

  // ---- clustering marker (cloud pipeline only) ------------------------------------------------

  /** Flag the user for the next scheduled clustering. Bumps a version so that a clustering run that
   * started before this change does not clear the flag (see finishClustering). */
  async markNeedsClustering(userId: string): Promise<void> {
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(META) },
        UpdateExpression:
          'SET #pk = :shard, #sk = :user, pendingSince = if_not_exists(pendingSince, :now) ADD version :one',
        ExpressionAttributeNames: { '#pk': PENDING_INDEX.partitionKey, '#sk': PENDING_INDEX.sortKey },
        ExpressionAttributeValues: {
          ':shard': S(shardOf(userId)),
          ':user': S(userId),
          ':now': N(this.clock.now()),
          ':one': N(1),
        },
      }),
    );
  }

  /** Users flagged for clustering: queries the sparse index, shard by shard (never a scan). The
   * index is eventually consistent: a flag set a moment ago may show up on the next run. */
  async listUsersNeedingClustering(): Promise<string[]> {
    const users: string[] = [];
    for (let shard = 0; shard < PENDING_SHARDS; shard++) {
      let start: Item | undefined;
      do {
        const res = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: PENDING_INDEX.indexName,
            KeyConditionExpression: '#pk = :shard',
            ExpressionAttributeNames: { '#pk': PENDING_INDEX.partitionKey },
            ExpressionAttributeValues: { ':shard': S(`PENDING#${shard}`) },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const i of res.Items ?? []) users.push(str(i, PENDING_INDEX.sortKey));
        start = res.LastEvaluatedKey;
      } while (start);
    }
    return users.sort();
  }

  /** Take a lease on a flagged user before enqueueing its clustering job, so a schedule that fires
   * again while the job is queued or running does not enqueue it twice. Returns false when the user
   * is not flagged or another lease is still live. */
  async claimClustering(userId: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { PK: S(pk(userId)), SK: S(META) },
          UpdateExpression: 'SET claimedUntil = :until',
          ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)',
          ExpressionAttributeNames: { '#pk': PENDING_INDEX.partitionKey },
          ExpressionAttributeValues: { ':until': N(now + leaseMs), ':now': N(now) },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** The flag's current version, or undefined when the user is not flagged. Read before clustering. */
  async clusteringVersion(userId: string): Promise<number | undefined> {
    const res = await this.db.send(
      new GetItemCommand({ TableName: this.table, Key: { PK: S(pk(userId)), SK: S(META) }, ConsistentRead: true }),
    );
    const item = res.Item;
    return item && item[PENDING_INDEX.partitionKey] ? num(item, 'version') : undefined;
  }

  /** Clear the flag after a successful run, but only if nothing changed since `version` was read;
   * otherwise release the lease and keep the flag, so the next schedule clusters again. Returns
   * whether the flag was cleared. */
  async finishClustering(userId: string, version: number): Promise<boolean> {
    const Key = { PK: S(pk(userId)), SK: S(META) };
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key,
          UpdateExpression:
            'REMOVE #pk, #sk, pendingSince, claimedUntil, clusterFailures, clusterError, clusterGaveUpAt',
          ConditionExpression: 'version = :v',
          ExpressionAttributeNames: { '#pk': PENDING_INDEX.partitionKey, '#sk': PENDING_INDEX.sortKey },
          ExpressionAttributeValues: { ':v': N(version) },
        }),
      );
      return true;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      await this.releaseClustering(userId);
      return false;
    }
  }

  /** How many vectors of `modelId` the user has, counted in the same parallel key ranges as
   * listVectors (a COUNT query returns no items, but is billed as the read). */
  async countVectors(userId: string, modelId: string): Promise<number> {
    const counts = await Promise.all(
      vectorKeyRanges(`VEC#${modelId}#`).map(async ([lo, hi]) => {
        let n = 0;
        let start: Item | undefined;
        do {
          const res = await this.db.send(
            new QueryCommand({
              TableName: this.table,
              Select: 'COUNT',
              KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
              ExpressionAttributeValues: { ':pk': S(pk(userId)), ':lo': S(lo), ':hi': S(hi) },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          n += res.Count ?? 0;
          start = res.LastEvaluatedKey;
        } while (start);
        return n;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Record a failed clustering run: the lease becomes a back-off (`backoffMs` doubled per earlier
   * failure), so the schedule does not retry at once. After `maxFailures` the user leaves the
   * pending index (no more paid retries) and keeps `clusterGaveUpAt` for operators; the next change
   * to the user's faces flags it again. Returns the failure count and whether it gave up. */
  async failClustering(
    userId: string,
    error: string,
    backoffMs: number,
    maxFailures: number,
  ): Promise<{ failures: number; gaveUp: boolean }> {
    const Key = { PK: S(pk(userId)), SK: S(META) };
    const res = await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key,
        ReturnValues: 'ALL_NEW',
        UpdateExpression: 'SET clusterError = :e ADD clusterFailures :one',
        ExpressionAttributeValues: { ':e': S(error.slice(0, 1000)), ':one': N(1) },
      }),
    );
    const failures = num(res.Attributes ?? {}, 'clusterFailures');
    const now = this.clock.now();
    if (failures >= maxFailures) {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key,
          UpdateExpression: 'REMOVE #pk, #sk, pendingSince, claimedUntil, clusterFailures SET clusterGaveUpAt = :now',
          ExpressionAttributeNames: { '#pk': PENDING_INDEX.partitionKey, '#sk': PENDING_INDEX.sortKey },
          ExpressionAttributeValues: { ':now': N(now) },
        }),
      );
      return { failures, gaveUp: true };
    }
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key,
        UpdateExpression: 'SET claimedUntil = :until',
        ExpressionAttributeValues: { ':until': N(now + backoffMs * 2 ** (failures - 1)) },
      }),
    );
    return { failures, gaveUp: false };
  }

  /** Extend the lease while a long run (a Fargate task) holds the user. */
  async extendClustering(userId: string, leaseMs: number): Promise<void> {
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(META) },
        UpdateExpression: 'SET claimedUntil = :until',
        ExpressionAttributeValues: { ':until': N(this.clock.now() + leaseMs) },
      }),
    );
  }

  /** Account erasure (`DELETE /me`): delete every item of the user's partition, re-reading until
   * none is left (a pipeline stage may still be writing while the first pass runs). Returns how
   * many items were deleted. */
  async eraseUser(userId: string): Promise<number> {
    let deleted = 0;
    for (let pass = 0; pass < 5; pass++) {
      const keys = await this.partitionKeys(userId);
      if (keys.length === 0) return deleted;
      await this.batchWrite(keys.map((sk) => this.del(userId, sk)));
      deleted += keys.length;
    }
    throw new Error(`items of ${userId} kept appearing while erasing`);
  }

  private async partitionKeys(userId: string): Promise<string[]> {
    const keys: string[] = [];
    let start: Item | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': S(pk(userId)) },
          ProjectionExpression: 'SK',
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of res.Items ?? []) keys.push(str(i, 'SK'));
      start = res.LastEvaluatedKey;
    } while (start);
    return keys;
  }

  /** Rate limit of on-demand clustering: stamps the request time unless one was stamped less than
   * `minIntervalMs` ago. Returns 0 when stamped, else the milliseconds until the next is allowed. */
  async stampReclusterRequest(userId: string, minIntervalMs: number): Promise<number> {
    const now = this.clock.now();
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { PK: S(pk(userId)), SK: S(META) },
          UpdateExpression: 'SET reclusterRequestedAt = :now',
          ConditionExpression: 'attribute_not_exists(reclusterRequestedAt) OR reclusterRequestedAt <= :since',
          ExpressionAttributeValues: { ':now': N(now), ':since': N(now - minIntervalMs) },
        }),
      );
      return 0;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const res = await this.db.send(
        new GetItemCommand({ TableName: this.table, Key: { PK: S(pk(userId)), SK: S(META) }, ConsistentRead: true }),
      );
      return Math.max(1, num(res.Item ?? {}, 'reclusterRequestedAt') + minIntervalMs - now);
    }
  }

  /** Drop the lease (after a failed run) and keep the flag. */
  async releaseClustering(userId: string): Promise<void> {
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { PK: S(pk(userId)), SK: S(META) },
        UpdateExpression: 'REMOVE claimedUntil',
      }),
    );
  }
}
