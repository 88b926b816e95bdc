import { authHeaders } from './auth.ts';
import type { AppConfig } from './config.ts';

/** The REST API's bodies as the app reads them (the same for `rankface serve` and the cloud).
 * Fields the app does not need are left out; optional ones are additions a server may not have yet. */

export interface Person {
  readonly personId: string;
  readonly name: string | null;
  readonly hidden: boolean;
  readonly faceCount: number;
  readonly coverFaceId: string;
  readonly coverUrl?: string | null;
  readonly cohesion: number;
  readonly updatedAt: number;
}

export interface FaceQualityView {
  readonly score?: number;
  readonly reasons?: readonly string[];
  readonly sizePx?: number;
  readonly sharpness?: number;
}

export interface Face {
  readonly faceId: string;
  readonly photoId: string;
  readonly box: readonly [number, number, number, number];
  readonly score: number;
  readonly quality?: FaceQualityView;
  readonly cropUrl: string | null;
  readonly personId?: string | null;
}

export interface Photo {
  readonly photoId: string;
  readonly sourceKey: string;
  readonly status: 'detected' | 'embedded' | 'error' | 'deleted';
  readonly faceCount: number;
  readonly error: { code: string; message: string } | null;
}

/** "Is this <name>?": a face outside the person with the calibrated probability that it is them. */
export interface Suggestion {
  readonly face: Face;
  readonly pSame: number;
}

/** Free-form explanation of one face's place (fields as the server sends them). */
export type Why = Record<string, unknown>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const enc = encodeURIComponent;
/** Lists the app needs whole (people, photos, loose faces) are read a page of LIST_PAGE at a time,
 * following `nextCursor`: the limit is explicit, so the app is right whether a server without
 * `limit` answers one default-size page or the whole list. */
const LIST_PAGE = 1000;
export const peoplePath = (includeHidden: boolean): string =>
  `/people?${includeHidden ? 'hidden=include&' : ''}limit=${LIST_PAGE}`;
/** A person's faces come in pages: a small first one (two screens of this window's 120-px tiles,
 * 60 to 300 faces), then pages as the grid scrolls. The limit is always explicit: a server that
 * answers a request without `limit` with the whole list (10,000 faces) is never asked that way.
 * A server without paging answers every face at once (no `nextCursor`). */
const screenOfTiles = (): number => Math.ceil(innerWidth / 120) * Math.ceil(innerHeight / 120);
export const FIRST_FACE_PAGE = Math.min(300, Math.max(60, 2 * screenOfTiles()));
export const NEXT_FACE_PAGE = 1000;
export const personFacesPath = (personId: string, cursor?: string): string =>
  `/people/${enc(personId)}/faces?limit=${cursor === undefined ? FIRST_FACE_PAGE : `${NEXT_FACE_PAGE}&cursor=${enc(cursor)}`}`;

export class Api {
  constructor(private readonly config: AppConfig) {}

  /** Whether the server has a route (`'GET /faces/{faceId}/why'`); optional views check first. */
  has(routeKey: string): boolean {
    return this.config.routes === undefined || this.config.routes.includes(routeKey);
  }

  /** GETs started before the first render (see `prefetch`), each taken once by the first call. */
  private readonly early = new Map<string, Promise<unknown>>();

  /** Starts the GETs the first view will make, while the app renders (Preact runs effects only
   * after a paint, and under load that is a frame or more later). */
  prefetch(paths: readonly string[]): void {
    for (const path of paths) {
      const call = this.send('GET', path);
      call.catch(() => undefined); // the view that takes it sees the error
      this.early.set(path, call);
    }
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const early = method === 'GET' ? this.early.get(path) : undefined;
    if (early) {
      this.early.delete(path);
      return early as Promise<T>;
    }
    return this.send(method, path, body);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { ...(await authHeaders(this.config.auth)) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.config.apiBase}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: text };
    }
    if (!res.ok) throw new ApiError(res.status, (parsed as { error?: string } | null)?.error ?? `HTTP ${res.status}`);
    return parsed as T;
  }

  /** Every item of a paged list: the first page at `path` (with its explicit limit), then each
   * `nextCursor`; a server without paging answers everything in the first page. */
  private async whole<K extends string, T>(path: string, key: K): Promise<Record<K, T[]>> {
    const items: T[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await this.call<Record<K, T[]> & { nextCursor?: string | null }>(
        'GET',
        cursor ? `${path}&cursor=${enc(cursor)}` : path,
      );
      items.push(...page[key]);
      cursor = page.nextCursor;
    } while (cursor);
    return { [key]: items } as Record<K, T[]>;
  }

  people(includeHidden: boolean): Promise<{ people: Person[] }> {
    return this.whole(peoplePath(includeHidden), 'people');
  }
  /** One page of a person's faces; `nextCursor` (null or absent after the last page) asks for the next. */
  personFaces(
    personId: string,
    cursor?: string,
  ): Promise<{ person: Person; faces: Face[]; nextCursor?: string | null }> {
    return this.call('GET', personFacesPath(personId, cursor));
  }
  rename(personId: string, name: string | null): Promise<{ person: Person }> {
    return this.call('PATCH', `/people/${enc(personId)}`, { name });
  }
  setHidden(personId: string, hidden: boolean): Promise<{ person: Person }> {
    return this.call('PATCH', `/people/${enc(personId)}`, { hidden });
  }
  /** Merges `otherPersonId` into `personId` (which keeps its id). */
  merge(personId: string, otherPersonId: string): Promise<{ person: Person }> {
    return this.call('POST', `/people/${enc(personId)}/merge`, { otherPersonId });
  }
  move(faceId: string, toPersonId: string): Promise<{ person: Person }> {
    return this.call('POST', `/faces/${enc(faceId)}/move`, { toPersonId });
  }
  /** With `personId`: the face (a suggestion, outside that person) is declined for it. */
  notPerson(faceId: string, personId?: string): Promise<{ personId: string; faceId: string }> {
    return this.call('POST', `/faces/${enc(faceId)}/not-person`, personId === undefined ? {} : { personId });
  }
  photos(): Promise<{ photos: Photo[] }> {
    return this.whole(`/photos?limit=${LIST_PAGE}`, 'photos');
  }
  photoFaces(photoId: string): Promise<{ faces: Face[] }> {
    return this.call('GET', `/photos/${enc(photoId)}/faces`);
  }
  why(faceId: string): Promise<Why> {
    if (!this.has('GET /faces/{faceId}/why')) return Promise.reject(new ApiError(404, 'no route'));
    return this.call('GET', `/faces/${enc(faceId)}/why`);
  }
  suggestions(personId: string): Promise<{ suggestions: Suggestion[] }> {
    if (!this.has('GET /people/{personId}/suggestions')) return Promise.reject(new ApiError(404, 'no route'));
    return this.call('GET', `/people/${enc(personId)}/suggestions`);
  }
  /** Faces in no person: `unassigned` (clustered alone) or `gated` (below the quality gate). */
  looseFaces(kind: 'unassigned' | 'gated'): Promise<{ faces: Face[] }> {
    if (!this.has('GET /faces')) return Promise.reject(new ApiError(404, 'no route'));
    return this.whole(`/faces?state=${kind}&limit=${LIST_PAGE}`, 'faces');
  }
}

/** A route the connected server does not have yet (older server): the view says so instead of failing. */
export const isMissingRoute = (err: unknown): boolean =>
  err instanceof ApiError && (err.status === 404 || err.status === 405) && /route/i.test(err.message);
