/** The REST API's routes: API Gateway resource paths × method. The single list read by the CDK
 * stack (which creates exactly these resources), the Lambda adapter and the local servers. */
export const ROUTES = [
  { method: 'GET', resource: '/people' },
  { method: 'PATCH', resource: '/people/{personId}' },
  { method: 'GET', resource: '/people/{personId}/faces' },
  { method: 'POST', resource: '/people/{personId}/merge' },
  { method: 'GET', resource: '/people/{personId}/suggestions' },
  { method: 'GET', resource: '/photos' },
  { method: 'GET', resource: '/photos/{photoId}/faces' },
  { method: 'GET', resource: '/faces' },
  { method: 'POST', resource: '/faces/{faceId}/move' },
  { method: 'POST', resource: '/faces/{faceId}/not-person' },
  { method: 'GET', resource: '/faces/{faceId}/why' },
  { method: 'POST', resource: '/uploads' },
  { method: 'POST', resource: '/uploads/batch' },
  { method: 'DELETE', resource: '/me' },
  { method: 'POST', resource: '/recluster' },
  // The API's description needs no caller (API Gateway serves it without the authorizer).
  { method: 'GET', resource: '/openapi.json', public: true },
] as const;

/** Routes anyone may call: no authenticated caller needed. */
export const isPublicRoute = (r: Route): boolean => 'public' in r && r.public;

export type Route = (typeof ROUTES)[number];
export type RouteKey = Route extends infer R
  ? R extends { method: infer M extends string; resource: infer P extends string }
    ? `${M} ${P}`
    : never
  : never;

export interface MatchedRoute {
  readonly key: RouteKey;
  readonly params: Record<string, string>;
}

/** Match a request path (percent-encoded segments, e.g. a face id's `#` as `%23`) to a route,
 * decoding its path parameters. Undefined when no route matches; throws URIError on bad encoding. */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const r of ROUTES) {
    if (r.method !== method.toUpperCase()) continue;
    const tpl = r.resource.split('/').filter(Boolean);
    if (tpl.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = tpl.every((t, i) => {
      if (!t.startsWith('{')) return t === parts[i];
      params[t.slice(1, -1)] = decodeURIComponent(parts[i]!);
      return true;
    });
    if (ok) return { key: `${r.method} ${r.resource}` as RouteKey, params };
  }
  return undefined;
}

/** A concrete path for a route and its parameters (each encoded): what a client requests. */
export const pathOf = (resource: string, params: Record<string, string> = {}): string =>
  resource.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
