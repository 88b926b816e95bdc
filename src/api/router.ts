import type { Clock } from '#core/ports/clock.ts';
import type { FaceStore } from '#core/ports/face-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import { PeopleEditError } from '#core/pipeline/people-edits.ts';
import { matchRoute, ROUTES, isPublicRoute, type RouteKey } from './routes.ts';
import { accountRoutes, type ErasedUser, type ReclusterAnswer } from './account-routes.ts';
import { openApiDocument } from './openapi.ts';
import { checkPageQuery, cutAtBudget, PageError, pageBody, PAGED_ROUTES } from './pagination.ts';
import { HttpError, peopleRoutes } from './people-routes.ts';
import { photoRoutes } from './photo-routes.ts';
import { uploadBatchRoute } from './upload-batch-route.ts';
import { suggestionRoutes } from './suggestion-routes.ts';
import { calibrationFor } from '#config/calibration.ts';
import type { SameCalibration } from '#core/pipeline/calibration.ts';

/** The REST API as a function of a plain request: validation → core use-case → HTTP mapping. The
 * Lambda handler (API Gateway events) and the local servers (`npm run local`, `rankface serve`) are
 * adapters around it, so every rule runs the same way everywhere. */

export interface ApiRequest {
  readonly method: string;
  /** Path after the API root, segments percent-encoded (`/faces/abc%23001/why`). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>> | null;
  /** Raw body text (JSON), or null. */
  readonly body?: string | null;
  /** The authenticated caller (Cognito `sub` in the cloud, the local user locally); never read from
   * the path, query or body. */
  readonly userId: string | undefined;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** How a client uploads one photo: a presigned PUT (`url`, `method`, `headers`: the original
 * contract) and, added later, a presigned form POST whose policy also binds the size range. */
export interface UploadTicket {
  readonly key: string;
  readonly url: string;
  readonly method: 'PUT';
  readonly headers: Record<string, string>;
  readonly expiresIn: number;
  /** The id that makes the key unique per upload (two photos named alike never share a key). */
  readonly uploadId?: string;
  /** The name the client gave, as kept in the key after the upload id. */
  readonly fileName?: string;
  /** Largest upload accepted, in bytes: the POST policy enforces it, detect checks it for a PUT. */
  readonly maxBytes?: number;
  /** Browser-form POST: send `fields` then the file as `file` to `url`. */
  readonly post?: { readonly url: string; readonly fields: Record<string, string> };
}

export interface ApiDeps {
  readonly faces: FaceStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `access-control-allow-origin` of every response: the stack's configured origin, never a guess. */
  readonly corsOrigin: string;
  /** URL a client can fetch a face crop from (presigned on AWS, a local path in `rankface serve`). */
  readonly cropUrl: (cropKey: string) => Promise<string | null>;
  /** Upload URLs (presigned PUT on AWS); absent where uploads are not offered (local folder). */
  readonly createUpload?: (userId: string, fileName: string, contentType: string) => Promise<UploadTicket>;
  /** After every edit (the cloud flags the user for clustering). */
  readonly onEdited?: (userId: string) => Promise<void>;
  /** Embedder whose vectors `why` and the suggestions compare, and its P(same) calibration
   * (default: the shipped curves of that embedder, models/calibration.json). */
  readonly modelId?: string;
  readonly pSame?: SameCalibration;
  /** `DELETE /me`: remove every object and item of the user (cloud only). */
  readonly eraseUser?: (userId: string) => Promise<ErasedUser>;
  /** `POST /recluster`: queue a clustering run now, rate-limited (cloud only). */
  readonly requestRecluster?: (userId: string) => Promise<ReclusterAnswer>;
  /** Byte budget of a list answer where the transport limits the response (Lambda: 6 MB): a list
   * that would exceed it is cut there, with `nextCursor`. None locally: the whole list. */
  readonly maxListBodyBytes?: number;
}

export interface RouteContext {
  readonly userId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  body(): Record<string, unknown>;
}

/** `paged`: the route cut its list into the requested page itself (it reads only that page's items),
 * so the router does not page it again. */
export type RouteHandler = (ctx: RouteContext) => Promise<{ status: number; body: unknown; paged?: true }>;

/** Caller ids are Cognito subs (UUIDs) or the local user: a safe alphabet, checked before any key. */
const CALLER_ID = /^[A-Za-z0-9_-]{1,128}$/;

function parseBody(raw: string | null | undefined): Record<string, unknown> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'body must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function statusOf(err: unknown): { status: number; message: string } | undefined {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (err instanceof PeopleEditError) return { status: err.code === 'not-found' ? 404 : 400, message: err.message };
  if (err instanceof PageError) return { status: 400, message: err.message };
  if (err instanceof URIError) return { status: 400, message: 'malformed percent-encoding in the path' };
  return undefined;
}

export function createApiRouter(given: ApiDeps): (req: ApiRequest) => Promise<ApiResponse> {
  const pSame = given.pSame ?? (given.modelId ? calibrationFor(given.modelId) : undefined);
  const deps: ApiDeps = { ...given, ...(pSame ? { pSame } : {}) };
  const openApi = openApiDocument();
  const routes: Record<RouteKey, RouteHandler> = {
    ...peopleRoutes(deps),
    ...photoRoutes(deps),
    ...uploadBatchRoute(deps),
    ...suggestionRoutes(deps),
    ...accountRoutes(deps),
    'GET /openapi.json': async () => ({ status: 200, body: openApi }),
  };
  const publicRoutes = new Set(ROUTES.filter(isPublicRoute).map((r) => `${r.method} ${r.resource}`));
  const respond = (status: number, body: unknown): ApiResponse => ({
    status,
    headers: { 'content-type': 'application/json', 'access-control-allow-origin': deps.corsOrigin },
    body: JSON.stringify(body),
  });
  return async (req) => {
    let routeKey = `${req.method} ${req.path}`;
    try {
      const matched = matchRoute(req.method, req.path);
      const isPublic = matched !== undefined && publicRoutes.has(matched.key);
      if (!isPublic && (typeof req.userId !== 'string' || !CALLER_ID.test(req.userId)))
        throw new HttpError(401, 'no authenticated caller');
      if (!matched) throw new HttpError(404, `no route ${req.method} ${req.path}`);
      routeKey = matched.key;
      const query = req.query ?? {};
      const paged = PAGED_ROUTES[matched.key];
      if (paged) checkPageQuery(query);
      let body: Record<string, unknown> | undefined;
      const ctx: RouteContext = {
        userId: req.userId ?? '',
        params: matched.params,
        query,
        body: () => (body ??= parseBody(req.body)),
      };
      const out = await routes[matched.key](ctx);
      if (!paged || out.status !== 200) return respond(out.status, out.body);
      // A route that pages itself (paged: true) is only cut further at the byte budget.
      return respond(
        out.status,
        out.paged
          ? cutAtBudget(out.body, paged, query, deps.maxListBodyBytes)
          : pageBody(out.body, paged, query, deps.maxListBodyBytes),
      );
    } catch (err) {
      const known = statusOf(err);
      if (known) return respond(known.status, { error: known.message });
      deps.logger.error('api error', { route: routeKey, error: (err as Error).message });
      return respond(500, { error: 'internal error' });
    }
  };
}
