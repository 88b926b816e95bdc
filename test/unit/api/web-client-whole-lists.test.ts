import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createApiRouter } from '#api/router.ts';
import { seedBigLibrary } from '#test/helpers/big-library.ts';
import { repoRoot } from '#test/helpers/data.ts';

/** The parts of the web app's `Api` this test calls. Loaded by path: the web app compiles with the
 * DOM library (web/tsconfig.json), which the node project does not include. */
interface WebApi {
  photos(): Promise<{ photos: { photoId: string }[] }>;
  people(includeHidden: boolean): Promise<{ people: { personId: string }[] }>;
  looseFaces(kind: 'unassigned' | 'gated'): Promise<{ faces: { faceId: string }[] }>;
}
const loadWebApi = async (): Promise<new (config: { apiBase: string; auth: { kind: 'none' } }) => WebApi> => {
  // The module sizes its first face page from the browser window.
  vi.stubGlobal('innerWidth', 1280);
  vi.stubGlobal('innerHeight', 800);
  return (
    (await import(join(repoRoot, 'web', 'src', 'api.ts'))) as {
      Api: new (config: { apiBase: string; auth: { kind: 'none' } }) => WebApi;
    }
  ).Api;
};

// The web app reads whole lists (people, photos, loose faces): when the server cuts one at its
// byte budget (the cloud API under Lambda's 6 MB limit), the app follows `nextCursor` and shows
// every item, once, in order. Served over real HTTP with a small budget so the cut happens.
describe('web client on a server that cuts lists', () => {
  let server: Server | undefined;
  afterAll(() => {
    vi.unstubAllGlobals();
    return new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  });

  it('joins the pages of people, photos and unassigned faces', async () => {
    const store = new SqliteFaceStore(':memory:');
    const photoIds = await seedBigLibrary(store, 'alice', { bigPerson: 20, smallPeople: 300, unassigned: 250 });
    const route = createApiRouter({
      faces: store,
      clock: { now: () => 5 },
      logger: silentLogger,
      corsOrigin: '*',
      cropUrl: async (k) => `/crops/${k}`,
      maxListBodyBytes: 16 * 1024,
    });
    let cutAnswers = 0;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      void route({
        method: req.method ?? 'GET',
        path: url.pathname,
        userId: 'alice',
        query: Object.fromEntries(url.searchParams),
      }).then((out) => {
        if ((JSON.parse(out.body) as { nextCursor?: unknown }).nextCursor) cutAnswers++;
        res.writeHead(out.status, out.headers).end(out.body);
      });
    });
    await new Promise<void>((ready) => server!.listen(0, '127.0.0.1', ready));
    const Api = await loadWebApi();
    const api = new Api({
      apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      auth: { kind: 'none' },
    });

    const photos = await api.photos();
    expect(photos.photos.map((p) => p.photoId)).toEqual(photoIds);
    const people = await api.people(true);
    expect(people.people.map((p) => p.personId)).toEqual((await store.listPeople('alice')).map((p) => p.personId));
    expect(people.people.length).toBe(301);
    const loose = await api.looseFaces('unassigned');
    expect(loose.faces.map((f) => f.faceId)).toEqual(photoIds.slice(320).map((p) => `${p}#000`));
    expect(cutAnswers).toBeGreaterThan(3);
  });
});
