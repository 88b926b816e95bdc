import { describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createApiRouter } from '#api/router.ts';
import { pathOf } from '#api/routes.ts';
import { seedPeople } from '#test/contract/people-edits.contract.ts';

// Every list route pages by cursor: pages of `limit` items in the list's order, a cursor until
// the last page, the same items as the unpaged list, a page boundary that survives an item
// removed before it, and a 400 for a limit or cursor the API did not give.
describe('cursor pagination of the list routes', () => {
  const setup = async () => {
    const store = new SqliteFaceStore(':memory:');
    await seedPeople(store, 'alice');
    const route = createApiRouter({
      faces: store,
      clock: { now: () => 5 },
      logger: silentLogger,
      corsOrigin: '*',
      cropUrl: async (k) => `/crops/${k}`,
    });
    const get = async (resource: string, query: Record<string, string> = {}, params: Record<string, string> = {}) => {
      const out = await route({ method: 'GET', path: pathOf(resource, params), userId: 'alice', query });
      return { status: out.status, json: JSON.parse(out.body) as Record<string, unknown> };
    };
    const walk = async (
      resource: string,
      key: string,
      id: string,
      limit: number,
      params: Record<string, string> = {},
    ) => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page = await get(resource, { limit: String(limit), ...(cursor ? { cursor } : {}) }, params);
        expect(page.status).toBe(200);
        pages.push((page.json[key] as Record<string, string>[]).map((x) => x[id]!));
        cursor = page.json.nextCursor as string | null;
      } while (cursor);
      return pages;
    };
    return { store, get, walk };
  };

  it("walks photos, people, faces and a person's faces page by page, covering the unpaged list", async () => {
    const { get, walk } = await setup();
    expect(await walk('/photos', 'photos', 'photoId', 4)).toEqual([
      ['p1', 'p2', 'p3', 'p4'],
      ['p5', 'p6'],
    ]);
    expect(await walk('/people', 'people', 'personId', 1)).toEqual([['A'], ['B']]);
    expect(await walk('/people/{personId}/faces', 'faces', 'faceId', 2, { personId: 'A' })).toEqual([
      ['p1#000', 'p2#000'],
      ['p3#000'],
    ]);
    expect(await walk('/faces', 'faces', 'faceId', 1)).toEqual([['p6#000']]);
    const whole = await get('/photos');
    expect((whole.json.photos as unknown[]).length).toBe(6);
    expect(whole.json.nextCursor).toBeNull();
  });

  it('resumes after the last item served even when an earlier item is gone', async () => {
    const { store, get } = await setup();
    const first = await get('/photos', { limit: '3' });
    await store.deletePhoto('alice', 'p1');
    const next = await get('/photos', { limit: '3', cursor: first.json.nextCursor as string });
    expect((next.json.photos as { photoId: string }[]).map((p) => p.photoId)).toEqual(['p4', 'p5', 'p6']);
  });

  it('refuses a limit out of range and a cursor it did not give', async () => {
    const { get } = await setup();
    const bad: Record<string, string>[] = [
      { limit: '0' },
      { limit: '1001' },
      { limit: 'ten' },
      { cursor: 'bm90LWEtY3Vyc29y' },
    ];
    for (const query of bad) {
      const out = await get('/photos', query);
      expect(out.status, JSON.stringify(query)).toBe(400);
      expect(typeof out.json.error).toBe('string');
    }
  });
});
