import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { UPLOAD_PREFIX } from '#config/aws.ts';
import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import type { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { RankfaceError } from '#core/errors.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { FaceRecord, PersonRecord } from '#core/ports/face-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import { cropKeyOf } from '#core/pipeline/keys.ts';
import { listLooseFaces } from '#core/pipeline/loose-faces.ts';
import { awsRuntime, lazyHandler, OWNER_METADATA, USER_ID } from '../shared/runtime.ts';
import { routeKeyOf, type RouteKey } from './routes.ts';

export interface ApiHandlerDeps {
  readonly blobs: S3BlobStore;
  readonly faces: DynamoFaceStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly presignSeconds: number;
}

/** Stable codes for the statuses the API raises on purpose (the response body keeps `error`). */
const HTTP_CODES: Readonly<Record<number, string>> = { 400: 'bad-request', 401: 'unauthenticated', 404: 'not-found' };

class HttpError extends RankfaceError {
  constructor(readonly status: number, message: string) {
    super(HTTP_CODES[status] ?? `http-${status}`, message);
  }
}

const json = (status: number, body: unknown): APIGatewayProxyResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
  body: JSON.stringify(body),
});

/** The caller is the Cognito user pool authorizer's `sub` claim: never a path, query or body field. */
function callerOf(event: APIGatewayProxyEvent): string {
  const sub = (event.requestContext?.authorizer as { claims?: { sub?: unknown } } | null | undefined)?.claims?.sub;
  if (typeof sub !== 'string' || !USER_ID.test(sub)) throw new HttpError(401, 'no authenticated caller');
  return sub;
}

function bodyOf(event: APIGatewayProxyEvent): Record<string, unknown> {
  if (!event.body) return {};
  try {
    const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'body must be a JSON object');
  }
}

const param = (event: APIGatewayProxyEvent, name: string): string => {
  const v = event.pathParameters?.[name];
  if (!v) throw new HttpError(400, `missing path parameter ${name}`);
  return v;
};

const UPLOAD_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/gif', 'image/avif', 'image/heic']);

/** File names become the last key segment: keep a safe alphabet (spaces allowed: they exercise the
 * '+' form-encoding of S3 event keys). */
function safeFileName(raw: unknown): string {
  if (typeof raw !== 'string') throw new HttpError(400, 'fileName is required');
  const name = raw.normalize('NFC').replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^[. ]+/, '').slice(0, 200);
  if (name === '') throw new HttpError(400, 'fileName has no usable characters');
  return name;
}

export function createApiHandler(deps: ApiHandlerDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const { faces, blobs } = deps;

  const personOrThrow = async (userId: string, personId: string): Promise<PersonRecord> => {
    const p = await faces.getPerson(userId, personId);
    if (!p) throw new HttpError(404, 'no such person');
    return p;
  };
  const faceView = async (f: FaceRecord) => ({
    faceId: f.faceId,
    photoId: f.photoId,
    box: f.box,
    score: f.score,
    quality: f.quality,
    cropUrl: f.cropKey ? await blobs.presignGet(f.cropKey, deps.presignSeconds) : null,
  });
  const personView = (p: PersonRecord) => ({
    personId: p.personId,
    name: p.name ?? null,
    hidden: p.hidden ?? false,
    faceCount: p.faceIds.length,
    coverFaceId: p.coverFaceId,
    cohesion: p.cohesion,
    updatedAt: p.updatedAt,
  });
  /** An edit changes people at once (so the user sees it) and is kept as a constraint for every
   * later clustering run, which the edit also requests. */
  const afterEdit = async (userId: string): Promise<void> => faces.markNeedsClustering(userId);

  const routes: Record<RouteKey, (userId: string, e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>> = {
    'GET /people': async (userId, e) => {
      const includeHidden = e.queryStringParameters?.hidden === 'include';
      const people = (await faces.listPeople(userId)).filter((p) => includeHidden || !p.hidden);
      people.sort((a, b) => b.faceIds.length - a.faceIds.length || (a.personId < b.personId ? -1 : 1));
      // coverUrl (added field): the grid shows each person's cover crop without a request per person.
      const withCover = async (p: PersonRecord) => ({ ...personView(p), coverUrl: await blobs.presignGet(cropKeyOf(userId, p.coverFaceId), deps.presignSeconds) });
      return json(200, { people: await Promise.all(people.map(withCover)) });
    },
    'PATCH /people/{personId}': async (userId, e) => {
      const person = await personOrThrow(userId, param(e, 'personId'));
      const body = bodyOf(e);
      if (body.name !== undefined && body.name !== null && (typeof body.name !== 'string' || body.name.length > 200)) throw new HttpError(400, 'name must be a string of at most 200 characters, or null');
      if (body.hidden !== undefined && typeof body.hidden !== 'boolean') throw new HttpError(400, 'hidden must be a boolean');
      const { name: _oldName, ...rest } = person;
      const name = body.name === undefined ? person.name : (body.name as string | null) ?? undefined;
      const next: PersonRecord = {
        ...rest,
        ...(name !== undefined && name !== '' ? { name } : {}),
        ...(typeof body.hidden === 'boolean' ? { hidden: body.hidden } : {}),
        updatedAt: deps.clock.now(),
      };
      await faces.putPerson(next);
      return json(200, { person: personView(next) });
    },
    'GET /people/{personId}/faces': async (userId, e) => {
      const person = await personOrThrow(userId, param(e, 'personId'));
      const members = new Set(person.faceIds);
      const all = (await faces.listFaces(userId)).filter((f) => members.has(f.faceId));
      return json(200, { person: personView(person), faces: await Promise.all(all.map(faceView)) });
    },
    'POST /people/{personId}/merge': async (userId, e) => {
      const target = await personOrThrow(userId, param(e, 'personId'));
      const otherId = bodyOf(e).otherPersonId;
      if (typeof otherId !== 'string' || otherId === target.personId) throw new HttpError(400, 'otherPersonId must name another person');
      const other = await personOrThrow(userId, otherId);
      // Link every face of both people to the target's cover: a single cover-to-cover link would let
      // the clustering keep the two covers together but split them from their own faces.
      const mergedFaces = [...new Set([...target.faceIds, ...other.faceIds])].sort();
      await faces.addEdits(userId, mergedFaces.filter((f) => f !== target.coverFaceId).map((f) => ({ kind: 'must-link', faceIds: [target.coverFaceId, f] }) as const));
      const merged: PersonRecord = { ...target, faceIds: mergedFaces, updatedAt: deps.clock.now() };
      await faces.putPerson(merged);
      await faces.deletePerson(userId, other.personId);
      await afterEdit(userId);
      return json(200, { person: personView(merged) });
    },
    'GET /photos': async (userId) => {
      const photos = await faces.listPhotos(userId);
      return json(200, {
        photos: photos.map((p) => ({ photoId: p.photoId, sourceKey: p.sourceKey, status: p.status, faceCount: p.faceCount, width: p.width, height: p.height, error: p.error ?? null, updatedAt: p.updatedAt })),
      });
    },
    'GET /photos/{photoId}/faces': async (userId, e) => {
      const photoId = param(e, 'photoId');
      const photo = await faces.getPhoto(userId, photoId);
      if (!photo) throw new HttpError(404, 'no such photo');
      const people = await faces.listPeople(userId);
      const personOf = new Map(people.flatMap((p) => p.faceIds.map((f) => [f, p.personId] as const)));
      const list = await faces.listFacesOfPhoto(userId, photoId);
      return json(200, {
        photo: { photoId, status: photo.status, error: photo.error ?? null, width: photo.width, height: photo.height },
        faces: await Promise.all(list.map(async (f) => ({ ...(await faceView(f)), personId: personOf.get(f.faceId) ?? null }))),
      });
    },
    // Faces in no person (?state=unassigned, the default, or gated): the web app's loose-face views.
    'GET /faces': async (userId, e) => {
      const state = e.queryStringParameters?.state ?? 'unassigned';
      if (state !== 'unassigned' && state !== 'gated') throw new HttpError(400, 'state must be unassigned or gated');
      return json(200, { faces: await Promise.all((await listLooseFaces(userId, state, faces)).map(faceView)) });
    },
    'POST /faces/{faceId}/move': async (userId, e) => {
      const faceId = param(e, 'faceId');
      const toId = bodyOf(e).toPersonId;
      if (typeof toId !== 'string') throw new HttpError(400, 'toPersonId is required');
      const target = await personOrThrow(userId, toId);
      const people = await faces.listPeople(userId);
      const from = people.find((p) => p.faceIds.includes(faceId));
      if (!from && !(await faces.listFaces(userId)).some((f) => f.faceId === faceId)) throw new HttpError(404, 'no such face');
      if (from?.personId === target.personId) return json(200, { person: personView(target) });
      if (from) await faces.addEdit(userId, { kind: 'not-person', faceId, personFaceIds: from.faceIds.filter((f) => f !== faceId) });
      // Linked to every face of the target person (see merge), so the person keeps the face whole.
      await faces.addEdits(userId, target.faceIds.map((f) => ({ kind: 'must-link', faceIds: [faceId, f] }) as const));
      const now = deps.clock.now();
      if (from) await removeFace(from, faceId, now);
      const moved: PersonRecord = { ...target, faceIds: [...target.faceIds, faceId].sort(), updatedAt: now };
      await faces.putPerson(moved);
      await afterEdit(userId);
      return json(200, { person: personView(moved) });
    },
    'POST /faces/{faceId}/not-person': async (userId, e) => {
      const faceId = param(e, 'faceId');
      const from = (await faces.listPeople(userId)).find((p) => p.faceIds.includes(faceId));
      if (!from) throw new HttpError(404, 'face is not in a person');
      await faces.addEdit(userId, { kind: 'not-person', faceId, personFaceIds: from.faceIds.filter((f) => f !== faceId) });
      await removeFace(from, faceId, deps.clock.now());
      await afterEdit(userId);
      return json(200, { personId: from.personId, faceId, removed: true });
    },
    'POST /uploads': async (userId, e) => {
      const body = bodyOf(e);
      const fileName = safeFileName(body.fileName);
      const contentType = typeof body.contentType === 'string' ? body.contentType : 'image/jpeg';
      if (!UPLOAD_TYPES.has(contentType)) throw new HttpError(400, `contentType must be one of ${[...UPLOAD_TYPES].join(', ')}`);
      // The key is built here from the caller's sub: a client cannot choose another prefix.
      const key = `${UPLOAD_PREFIX}${userId}/${fileName}`;
      const url = await blobs.presignPut(key, deps.presignSeconds, contentType, { [OWNER_METADATA]: userId });
      return json(200, { key, url, method: 'PUT', headers: { 'content-type': contentType, [`x-amz-meta-${OWNER_METADATA}`]: userId }, expiresIn: deps.presignSeconds });
    },
  };

  async function removeFace(person: PersonRecord, faceId: string, now: number): Promise<void> {
    const rest = person.faceIds.filter((f) => f !== faceId);
    if (rest.length === 0) return faces.deletePerson(person.userId, person.personId);
    await faces.putPerson({ ...person, faceIds: rest, coverFaceId: person.coverFaceId === faceId ? rest[0]! : person.coverFaceId, updatedAt: now });
  }

  return async (event) => {
    try {
      const userId = callerOf(event);
      const route = routes[routeKeyOf(event) as RouteKey];
      if (!route) throw new HttpError(404, `no route ${routeKeyOf(event)}`);
      return await route(userId, event);
    } catch (err) {
      if (err instanceof HttpError) return json(err.status, { error: err.message });
      deps.logger.error('api error', { route: routeKeyOf(event), error: (err as Error).message });
      return json(500, { error: 'internal error' });
    }
  };
}

export const handler = lazyHandler(async () => {
  const runtime = awsRuntime('api');
  return createApiHandler({ ...runtime, presignSeconds: runtime.config.presignSeconds });
});
