import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import type { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import type { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { systemClock } from '#core/ports/clock.ts';
import type { PersonRecord, UserEdit } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createApiHandler } from '../../../functions/api/handler.ts';
import { ROUTES } from '../../../functions/api/routes.ts';
import type { ApiRouter } from './types.ts';

/** INTERIM, to be deleted when the shared router (`src/api/router.ts`, issue 12) lands: runs the
 * cloud API handler itself (same routes, bodies, status codes, edit rules) over the SQLite store,
 * through the few person-level calls the handler makes on its store. Nothing here re-implements a
 * route. */

class SqlitePeopleBridge {
  constructor(private readonly store: SqliteFaceStore) {}
  listPeople = (userId: string) => this.store.listPeople(userId);
  listFaces = (userId: string) => this.store.listFaces(userId);
  listPhotos = (userId: string) => this.store.listPhotos(userId);
  getPhoto = (userId: string, photoId: string) => this.store.getPhoto(userId, photoId);
  listFacesOfPhoto = (userId: string, photoId: string) => this.store.listFacesOfPhoto(userId, photoId);
  addEdit = (userId: string, edit: UserEdit) => this.store.addEdit(userId, edit);
  async addEdits(userId: string, edits: readonly UserEdit[]): Promise<void> {
    for (const e of edits) await this.store.addEdit(userId, e);
  }
  async getPerson(userId: string, personId: string): Promise<PersonRecord | undefined> {
    return (await this.store.listPeople(userId)).find((p) => p.personId === personId);
  }
  async putPerson(person: PersonRecord): Promise<void> {
    const others = (await this.store.listPeople(person.userId)).filter((p) => p.personId !== person.personId);
    await this.store.replacePeople(person.userId, [...others, person]);
  }
  async deletePerson(userId: string, personId: string): Promise<void> {
    await this.store.replacePeople(userId, (await this.store.listPeople(userId)).filter((p) => p.personId !== personId));
  }
  /** Locally the next `rankface cluster` run replays the edits; nothing to schedule. */
  async markNeedsClustering(): Promise<void> {}
}

function resourceOf(method: string, path: string): { resource: string; params: Record<string, string> } | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const tpl = r.resource.split('/').filter(Boolean);
    if (tpl.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (tpl.every((t, i) => (t.startsWith('{') ? ((params[t.slice(1, -1)] = decodeURIComponent(parts[i]!)), true) : t === parts[i]))) return { resource: r.resource, params };
  }
  return undefined;
}

export function createInterimRouter(store: SqliteFaceStore, urlOfBlob: (key: string) => string): ApiRouter {
  const blobs = { presignGet: async (key: string) => urlOfBlob(key), presignPut: async () => { throw new Error('uploads are cloud-only'); } };
  const handler = createApiHandler({
    faces: new SqlitePeopleBridge(store) as unknown as DynamoFaceStore,
    blobs: blobs as unknown as S3BlobStore,
    clock: systemClock,
    logger: silentLogger,
    presignSeconds: 3600,
  });
  return async (req) => {
    const matched = resourceOf(req.method, req.path);
    if (!matched) return { status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: `no route ${req.method} ${req.path}` }) };
    const event = {
      httpMethod: req.method, resource: matched.resource, path: req.path,
      pathParameters: Object.keys(matched.params).length ? matched.params : null,
      queryStringParameters: Object.keys(req.query).length ? req.query : null,
      body: req.body, isBase64Encoded: false,
      requestContext: { authorizer: { claims: { sub: req.userId } } },
    } as unknown as APIGatewayProxyEvent;
    const out = await handler(event);
    return { status: out.statusCode, headers: (out.headers ?? {}) as Record<string, string>, body: out.body };
  };
}
