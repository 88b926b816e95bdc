import type { RouteKey } from './routes.ts';

/** Cursor pagination of the list routes. A list is read, ordered as the route orders it, and cut
 * into pages; the cursor names the last item served (and its position, for when that item is gone
 * by the next request), so a page boundary survives items added or removed before it. */

export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 1000;

/** Which array of a list route's body is paged, and the field that identifies an item. */
export interface PagedList {
  readonly key: string;
  readonly id: string;
}

export const PAGED_ROUTES: Partial<Record<RouteKey, PagedList>> = {
  'GET /people': { key: 'people', id: 'personId' },
  'GET /photos': { key: 'photos', id: 'photoId' },
  'GET /people/{personId}/faces': { key: 'faces', id: 'faceId' },
  'GET /faces': { key: 'faces', id: 'faceId' },
};

export class PageError extends Error {}

interface Cursor {
  /** Id of the last item served. */
  readonly a: string;
  /** Index of the next item when the cursor was made. */
  readonly o: number;
}

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');

function decodeCursor(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof c.a === 'string' && Number.isInteger(c.o) && (c.o as number) >= 0) return { a: c.a, o: c.o as number };
  } catch {
    // fall through: not a cursor this API made
  }
  throw new PageError('cursor is not one this API returned');
}

function limitOf(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw new PageError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  return n;
}

export interface PageQuery {
  readonly limit?: string | undefined;
  readonly cursor?: string | undefined;
}

/** Check `limit` and `cursor` before the route does any work. */
export function checkPageQuery(query: PageQuery): void {
  limitOf(query.limit);
  if (query.cursor) decodeCursor(query.cursor);
}

/** One page of `items` and the cursor of the next (null on the last page). */
export function pageOf<T>(items: readonly T[], idOf: (item: T) => string, query: PageQuery): { items: T[]; nextCursor: string | null } {
  const limit = limitOf(query.limit);
  let start = 0;
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    const at = items.findIndex((i) => idOf(i) === c.a);
    start = at >= 0 ? at + 1 : Math.min(c.o, items.length);
  }
  const page = items.slice(start, start + limit);
  const end = start + page.length;
  return { items: page, nextCursor: end < items.length && page.length > 0 ? encodeCursor({ a: idOf(page[page.length - 1]!), o: end }) : null };
}

/** Page the list of a route's response body (other fields kept), adding `nextCursor`. */
export function pageBody(body: unknown, list: PagedList, query: PageQuery): unknown {
  const b = body as Record<string, unknown>;
  const items = b[list.key];
  if (!Array.isArray(items)) return body;
  const idOf = (i: unknown): string => String((i as Record<string, unknown>)[list.id]);
  const { items: page, nextCursor } = pageOf(items, idOf, query);
  return { ...b, [list.key]: page, nextCursor };
}
