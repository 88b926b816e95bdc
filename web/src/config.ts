/** Where the app finds its API and how it signs requests. Read once from `config.json` beside
 * `index.html`: `rankface serve` writes `{ apiBase: "/api", auth: { kind: "none" } }`, the CDK
 * stack deploys the Cognito settings, a test against `npm run local` uses the `x-user` stand-in. */

export type AuthConfig =
  | { readonly kind: 'none' }
  /** `npm run local`: the caller is a header (the stand-in for Cognito's `sub`). */
  | { readonly kind: 'header'; readonly header: string; readonly value: string }
  /** Cognito hosted UI, authorization code flow with PKCE; the ID token goes to API Gateway. */
  | { readonly kind: 'cognito'; readonly domain: string; readonly clientId: string; readonly redirectUri?: string };

export interface AppConfig {
  /** Base URL of the REST API, without a trailing slash (`/api`, or the stage URL). */
  readonly apiBase: string;
  readonly auth: AuthConfig;
  /** Optional 2-D map of the faces (`[{id, x, y}]` in [0,1]), when the host has one. */
  readonly mapUrl?: string;
  /** The API's routes (`GET /people/{personId}/faces`...), from the server's route table: views
   * whose route is missing say so instead of calling it. Absent: assume every route exists. */
  readonly routes?: readonly string[];
  /** Poll interval for pipeline progress while photos are still being analysed, ms. */
  readonly progressPollMs?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseAuth(raw: unknown): AuthConfig {
  if (!isRecord(raw) || raw.kind === 'none' || raw.kind === undefined) return { kind: 'none' };
  if (raw.kind === 'header' && typeof raw.header === 'string' && typeof raw.value === 'string')
    return { kind: 'header', header: raw.header, value: raw.value };
  if (raw.kind === 'cognito' && typeof raw.domain === 'string' && typeof raw.clientId === 'string') {
    return {
      kind: 'cognito',
      domain: raw.domain.replace(/\/$/, ''),
      clientId: raw.clientId,
      ...(typeof raw.redirectUri === 'string' ? { redirectUri: raw.redirectUri } : {}),
    };
  }
  throw new Error(`config.json: unknown auth kind ${String(raw.kind)}`);
}

export function parseConfig(raw: unknown): AppConfig {
  if (!isRecord(raw) || typeof raw.apiBase !== 'string') throw new Error('config.json: apiBase is required');
  return {
    apiBase: raw.apiBase.replace(/\/$/, ''),
    auth: parseAuth(raw.auth),
    ...(typeof raw.mapUrl === 'string' ? { mapUrl: raw.mapUrl } : {}),
    ...(Array.isArray(raw.routes) ? { routes: raw.routes.filter((r): r is string => typeof r === 'string') } : {}),
    ...(typeof raw.progressPollMs === 'number' ? { progressPollMs: raw.progressPollMs } : {}),
  };
}

/** `rankface serve` inlines the config in the page (a JSON data block); other hosts serve config.json. */
export async function loadConfig(): Promise<AppConfig> {
  const inline = document.getElementById('rankface-config')?.textContent;
  if (inline) return parseConfig(JSON.parse(inline));
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  return parseConfig(await res.json());
}
