import type { RouteKey } from './routes.ts';

/** Cursor pagination of the list routes. A list is read, ordered as the route orders it, and cut
 * into pages; the cursor names the last item served (and its position, for when that item is gone
 * by the next request), so a page boundary survives items added or removed before it.
 *
 * Contract: without `limit` the answer is the WHOLE list, as before paging existed (outside scripts
 * read it so). Pages are only cut when asked for (`limit`), or, where the transport has a response
 * size limit (Lambda's 6 MB), at a byte budget: then `nextCursor` says there is more. */

/** The largest `limit` a client may ask for. */
export const MAX_PAGE_SIZE = 1000;

/** Body budget for the Lambda API: a synchronous Lambda answer is at most 6 MB (6,291,456 bytes)
 * and the body travels as a JSON string inside it (quotes escaped), plus status and headers. The
 * budget counts the escaped bytes and leaves ~1 MB of margin. */
export const LAMBDA_LIST_BODY_BYTES = 5 * 1024 * 1024;

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

/** The asked page size; undefined (no `limit`) means the whole list. */
function limitOf(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw new PageError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
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

/** Bytes `value` takes in the Lambda answer: its JSON, escaped once more as the body string. */
const envelopeBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(JSON.stringify(value))) - 2;

/** How many of `items` fit in `budget` bytes after `fixedBytes` (at least one, so a page always
 * moves on); stops measuring at the first item that does not fit. */
function countWithin<T>(items: readonly T[], fixedBytes: number, budget: number): number {
  let used = fixedBytes;
  for (let i = 0; i < items.length; i++) {
    used += envelopeBytes(items[i]) + 1; // + the comma
    if (used > budget) return Math.max(1, i);
  }
  return items.length;
}

export interface PageOptions {
  /** Largest body in bytes as the transport carries it (see LAMBDA_LIST_BODY_BYTES); none locally. */
  readonly maxBodyBytes?: number;
  /** Bytes of the body around the list, when a budget applies. */
  readonly fixedBytes?: number;
}

/** One page of `items` and the cursor of the next (null on the last page): everything after the
 * cursor without `limit`, cut at `limit` items and at the byte budget. */
export function pageOf<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  query: PageQuery,
  options: PageOptions = {},
): { items: T[]; nextCursor: string | null } {
  const limit = limitOf(query.limit);
  let start = 0;
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    const at = items.findIndex((i) => idOf(i) === c.a);
    start = at >= 0 ? at + 1 : Math.min(c.o, items.length);
  }
  let page = items.slice(start, limit === undefined ? undefined : start + limit);
  if (options.maxBodyBytes !== undefined)
    page = page.slice(0, countWithin(page, options.fixedBytes ?? 0, options.maxBodyBytes));
  const end = start + page.length;
  return {
    items: page,
    nextCursor:
      end < items.length && page.length > 0 ? encodeCursor({ a: idOf(page[page.length - 1]!), o: end }) : null,
  };
}

/** One page read by key from a store that pages itself (`read(after, limit)` returns items after
 * the id `after`, in store order, and the id after which the next page starts). The cursor is the
 * same as pageOf's: the last id served and its position. Without `limit` every page is read (the
 * whole list, as the contract says); the transport's byte budget cuts it afterwards. */
export async function keyPageOf<T extends { readonly faceId: string }>(
  query: PageQuery,
  read: (
    after: string | undefined,
    limit: number,
  ) => Promise<{ readonly members: readonly T[]; readonly nextAfter?: string | undefined }>,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const limit = limitOf(query.limit);
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  const items: T[] = [];
  let after = cursor?.a;
  let more = true;
  while (more && (limit === undefined || items.length < limit)) {
    const want = limit === undefined ? MAX_PAGE_SIZE : limit - items.length;
    const page = await read(after, want);
    items.push(...page.members);
    after = page.nextAfter;
    more = page.nextAfter !== undefined;
  }
  const end = (cursor?.o ?? 0) + items.length;
  return {
    items,
    nextCursor: more && items.length > 0 ? encodeCursor({ a: items[items.length - 1]!.faceId, o: end }) : null,
  };
}

/** Room kept for `nextCursor` in the byte budget (a cursor is ~1.4 x the id plus ~30 bytes). */
const CURSOR_ROOM = 512;

/** Page the list of a route's response body (other fields kept), adding `nextCursor`. */
export function pageBody(body: unknown, list: PagedList, query: PageQuery, maxBodyBytes?: number): unknown {
  const b = body as Record<string, unknown>;
  const items = b[list.key];
  if (!Array.isArray(items)) return body;
  const idOf = (i: unknown): string => String((i as Record<string, unknown>)[list.id]);
  // The body around the list, with room for a cursor as long as any this API makes.
  const fixedBytes =
    maxBodyBytes === undefined ? 0 : envelopeBytes({ ...b, [list.key]: [], nextCursor: 'c'.repeat(CURSOR_ROOM) });
  const { items: page, nextCursor } = pageOf(
    items,
    idOf,
    query,
    maxBodyBytes === undefined ? {} : { maxBodyBytes, fixedBytes },
  );
  return { ...b, [list.key]: page, nextCursor };
}

/** A body its route already paged (with its own `nextCursor`), cut further where the transport
 * limits the answer: the items that fit the budget, and a cursor after the last of them. */
export function cutAtBudget(
  body: unknown,
  list: PagedList,
  query: PageQuery,
  maxBodyBytes: number | undefined,
): unknown {
  const b = body as Record<string, unknown>;
  const items = b[list.key];
  if (maxBodyBytes === undefined || !Array.isArray(items)) return body;
  const fits = countWithin(
    items,
    envelopeBytes({ ...b, [list.key]: [], nextCursor: 'c'.repeat(CURSOR_ROOM) }),
    maxBodyBytes,
  );
  if (fits === items.length) return body;
  // The page started where the request's cursor pointed (its position is only a fallback).
  const start = query.cursor ? decodeCursor(query.cursor).o : 0;
  const last = items[fits - 1] as Record<string, unknown>;
  return {
    ...b,
    [list.key]: items.slice(0, fits),
    nextCursor: encodeCursor({ a: String(last[list.id]), o: start + fits }),
  };
}
