import { describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createApiRouter } from '#api/router.ts';
import { pathOf } from '#api/routes.ts';
import { seedPeople } from '#test/contract/people-edits.contract.ts';

// The transport-agnostic API over the local store: face ids with '#' travel percent-encoded, edits
// go through the core use-cases, CORS follows the configured origin, unknown ids are 404s.
describe('API router on SQLite', () => {
  const setup = async () => {
    const store = new SqliteFaceStore(':memory:');
    await seedPeople(store, 'alice');
    const edited: string[] = [];
    const route = createApiRouter({
      faces: store,
      clock: { now: () => 5 },
      logger: silentLogger,
      corsOrigin: 'https://photos.example',
      cropUrl: async (key) => `/crops/${key}`,
      onEdited: async (u) => void edited.push(u),
      modelId: 'm',
    });
    const call = async (
      method: string,
      resource: string,
      params: Record<string, string> = {},
      body?: unknown,
      userId: string | null = 'alice',
    ) => {
      const out = await route({
        method,
        path: pathOf(resource, params),
        userId: userId ?? undefined,
        body: body === undefined ? null : JSON.stringify(body),
      });
      return { ...out, json: JSON.parse(out.body) as Record<string, unknown> };
    };
    return { store, call, edited };
  };

  it('serves people, applies edits by encoded face id, and maps errors', async () => {
    const { call, edited, store } = await setup();
    const people = await call('GET', '/people');
    expect(people.status).toBe(200);
    expect(people.headers['access-control-allow-origin']).toBe('https://photos.example');
    expect((people.json.people as { personId: string }[]).map((p) => p.personId)).toEqual(['A', 'B']);

    const moved = await call('POST', '/faces/{faceId}/move', { faceId: 'p1#000' }, { toPersonId: 'B' });
    expect(moved.status).toBe(200);
    expect(moved.json.person).toMatchObject({ personId: 'B', faceCount: 3 });
    expect(edited).toEqual(['alice']);

    const renamed = await call('PATCH', '/people/{personId}', { personId: 'A' }, { name: 'Ada', hidden: true });
    expect(renamed.json.person).toMatchObject({ personId: 'A', name: 'Ada', hidden: true });
    expect((await call('GET', '/people')).json.people).toHaveLength(1);

    const merged = await call('POST', '/people/{personId}/merge', { personId: 'B' }, { otherPersonId: 'A' });
    expect(merged.json.person).toMatchObject({ personId: 'B', faceCount: 5, name: 'Ada' });

    const why = await call('GET', '/faces/{faceId}/why', { faceId: 'p1#000' });
    expect(why.status).toBe(200);
    expect(why.json.why).toMatchObject({ faceId: 'p1#000', personId: 'B', basis: 'confirmed-by-user' });

    const faces = await call('GET', '/people/{personId}/faces', { personId: 'B' });
    expect((faces.json.faces as { faceId: string; cropUrl: string | null }[]).map((f) => f.faceId)).toEqual([
      'p1#000',
      'p2#000',
      'p3#000',
      'p4#000',
      'p5#000',
    ]);

    expect((await call('POST', '/faces/{faceId}/move', { faceId: 'p9#000' }, { toPersonId: 'B' })).status).toBe(404);
    expect((await call('POST', '/faces/{faceId}/move', { faceId: 'p2#000' }, {})).status).toBe(400);
    expect((await call('PATCH', '/people/{personId}', { personId: 'B' }, { name: 7 })).status).toBe(400);
    expect((await call('GET', '/people', {}, undefined, null)).status).toBe(401);
    expect((await call('POST', '/uploads', {}, { fileName: 'x.jpg' })).status).toBe(404);
    expect((await store.listPeople('alice')).map((p) => p.personId)).toEqual(['B']);
  });
});
