import { describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createApiRouter } from '#api/router.ts';
import { pathOf } from '#api/routes.ts';
import { seedBigLibrary } from '#test/helpers/big-library.ts';

// The list routes' contract from before paging: without `limit` the answer is the whole list,
// however long (outside scripts read it so); `limit` still cuts pages, with a cursor to the next.
describe('list routes without limit', () => {
  const size = { bigPerson: 1_200, smallPeople: 1_050, unassigned: 1_010 };
  const setup = async () => {
    const store = new SqliteFaceStore(':memory:');
    await seedBigLibrary(store, 'alice', size);
    const route = createApiRouter({
      faces: store,
      clock: { now: () => 5 },
      logger: silentLogger,
      corsOrigin: '*',
      cropUrl: async (k) => `/crops/${k}`,
    });
    return async (resource: string, query: Record<string, string> = {}, params: Record<string, string> = {}) => {
      const out = await route({ method: 'GET', path: pathOf(resource, params), userId: 'alice', query });
      expect(out.status, out.body.slice(0, 200)).toBe(200);
      return JSON.parse(out.body) as Record<string, unknown>;
    };
  };

  it('answers every photo, person and face of lists longer than 1000, and pages only when asked', async () => {
    const get = await setup();
    const lists: [string, string, number, Record<string, string>, Record<string, string>][] = [
      ['/photos', 'photos', size.bigPerson + size.smallPeople + size.unassigned, {}, {}],
      ['/people', 'people', 1 + size.smallPeople, {}, {}],
      ['/people/{personId}/faces', 'faces', size.bigPerson, { personId: 'big' }, {}],
      ['/faces', 'faces', size.unassigned, {}, { state: 'unassigned' }],
    ];
    for (const [resource, key, count, params, filter] of lists) {
      const whole = await get(resource, filter, params);
      expect((whole[key] as unknown[]).length, resource).toBe(count);
      expect(whole.nextCursor, resource).toBeNull();
      const first = await get(resource, { ...filter, limit: '1000' }, params);
      expect((first[key] as unknown[]).length, resource).toBe(1000);
      expect(typeof first.nextCursor, resource).toBe('string');
      const rest = await get(resource, { ...filter, cursor: first.nextCursor as string }, params);
      expect((rest[key] as unknown[]).length, resource).toBe(count - 1000);
      expect(rest.nextCursor, resource).toBeNull();
    }
  });
});
