import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createApiRouter } from '#api/router.ts';
import { openApiDocument, responseSchema } from '#api/openapi.ts';
import { ROUTES, pathOf } from '#api/routes.ts';
import { seedPeople } from '#test/contract/people-edits.contract.ts';
import { repoRoot } from '#test/helpers/data.ts';
import { schemaErrors } from '#test/helpers/json-schema.ts';

// The OpenAPI document and the router agree: the document lists exactly the route table, the
// committed docs/openapi.json is the generated document, and every route's answers (successes and
// errors) conform to the schema the document gives for that status.
const doc = openApiDocument();

describe('OpenAPI document', () => {
  it('describes exactly the routes of the route table, and docs/openapi.json is current', () => {
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.resource}`).sort());
    expect(JSON.parse(readFileSync(join(repoRoot, 'docs', 'openapi.json'), 'utf8'))).toEqual(doc);
  });

  it("matches every route's answers", async () => {
    const store = new SqliteFaceStore(':memory:');
    await seedPeople(store, 'alice');
    const route = createApiRouter({
      faces: store,
      clock: { now: () => 5 },
      logger: silentLogger,
      corsOrigin: '*',
      modelId: 'm',
      cropUrl: async (key) => `/crops/${key}`,
      createUpload: async (_u, fileName) => ({
        key: `uploads/alice/${fileName}`,
        url: 'https://s3.example/put',
        method: 'PUT',
        headers: {},
        expiresIn: 60,
      }),
      eraseUser: async () => ({ objects: 0, items: 0 }),
      requestRecluster: async () => ({ queued: true }),
    });
    const calls: [string, string, Record<string, string>, unknown?][] = [
      ['GET', '/openapi.json', {}],
      ['GET', '/people', {}],
      ['GET', '/people/{personId}/faces', { personId: 'A' }],
      ['GET', '/people/{personId}/faces', { personId: 'nobody' }],
      ['GET', '/people/{personId}/suggestions', { personId: 'A' }],
      ['GET', '/photos', {}],
      ['GET', '/photos/{photoId}/faces', { photoId: 'p1' }],
      ['GET', '/faces', {}],
      ['GET', '/faces/{faceId}/why', { faceId: 'p1#000' }],
      ['PATCH', '/people/{personId}', { personId: 'A' }, { name: 'Ada' }],
      ['PATCH', '/people/{personId}', { personId: 'A' }, { name: 3 }],
      ['POST', '/people/{personId}/merge', { personId: 'B' }, { otherPersonId: 'A' }],
      ['POST', '/faces/{faceId}/move', { faceId: 'p6#000' }, { toPersonId: 'B' }],
      ['POST', '/faces/{faceId}/not-person', { faceId: 'p1#000' }],
      ['POST', '/uploads', {}, { fileName: 'a.jpg' }],
      [
        'POST',
        '/uploads/batch',
        {},
        { files: [{ fileName: 'a.jpg' }, { fileName: 'b.png', contentType: 'image/png' }] },
      ],
      ['POST', '/uploads/batch', {}, { files: [{ fileName: 'a.jpg' }, { fileName: 'c.heic' }] }],
      ['POST', '/recluster', {}],
      ['DELETE', '/me', {}],
    ];
    const seen = new Set<string>();
    for (const [method, resource, params, body] of calls) {
      const out = await route({
        method,
        path: pathOf(resource, params),
        userId: 'alice',
        body: body === undefined ? null : JSON.stringify(body),
      });
      const schema = responseSchema(doc, resource, method, out.status);
      expect(schema, `${method} ${resource} → ${out.status} is not in the document`).toBeDefined();
      expect(schemaErrors(JSON.parse(out.body), schema!, doc), `${method} ${resource} → ${out.status}`).toEqual([]);
      seen.add(`${method} ${resource}`);
    }
    expect([...seen].sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.resource}`).sort());
    const anonymous = await route({ method: 'GET', path: '/openapi.json', userId: undefined });
    expect(anonymous.status).toBe(200);
    expect((await route({ method: 'GET', path: '/people', userId: undefined })).status).toBe(401);
  });
});
