import type { AuthConfig } from './config.ts';

/** Request signing. Cognito: the hosted UI's authorization code flow with PKCE (no client secret in
 * the browser); the ID token is kept in sessionStorage only (gone when the tab closes) and sent as
 * the `Authorization` header, which API Gateway's Cognito authorizer checks. */

const TOKEN_KEY = 'rankface.idToken';
const VERIFIER_KEY = 'rankface.pkceVerifier';

const base64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

function randomVerifier(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return base64Url(bytes);
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

const redirectOf = (auth: Extract<AuthConfig, { kind: 'cognito' }>): string =>
  auth.redirectUri ?? `${location.origin}${location.pathname}`;

/** Seconds-since-epoch expiry of a JWT, or 0 when it cannot be read. */
function expiryOf(token: string): number {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return payload.exp ?? 0;
  } catch {
    return 0;
  }
}

export async function signIn(auth: Extract<AuthConfig, { kind: 'cognito' }>): Promise<never> {
  const verifier = randomVerifier();
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectOf(auth),
    scope: 'openid email',
    code_challenge_method: 'S256',
    code_challenge: await challengeOf(verifier),
  });
  location.assign(`${auth.domain}/oauth2/authorize?${q}`);
  return new Promise<never>(() => undefined);
}

/** Finishes a hosted-UI redirect (`?code=`), exchanging the code for tokens at the token endpoint. */
async function finishRedirect(auth: Extract<AuthConfig, { kind: 'cognito' }>): Promise<void> {
  const code = new URLSearchParams(location.search).get('code');
  const verifier = sessionStorage.getItem(VERIFIER_KEY);
  if (!code || !verifier) return;
  const res = await fetch(`${auth.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code,
      redirect_uri: redirectOf(auth),
      code_verifier: verifier,
    }),
  });
  sessionStorage.removeItem(VERIFIER_KEY);
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (!res.ok) throw new Error(`sign-in failed: HTTP ${res.status}`);
  const tokens = (await res.json()) as { id_token?: string };
  if (tokens.id_token) sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
}

/** Headers for every API call; redirects to sign in when a Cognito token is missing or expired. */
export async function authHeaders(auth: AuthConfig): Promise<Record<string, string>> {
  if (auth.kind === 'none') return {};
  if (auth.kind === 'header') return { [auth.header]: auth.value };
  await finishRedirect(auth);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token || expiryOf(token) * 1000 < Date.now() + 30_000) return signIn(auth);
  return { authorization: token };
}

export function signOut(auth: AuthConfig): void {
  sessionStorage.removeItem(TOKEN_KEY);
  if (auth.kind === 'cognito')
    location.assign(
      `${auth.domain}/logout?client_id=${encodeURIComponent(auth.clientId)}&logout_uri=${encodeURIComponent(redirectOf(auth))}`,
    );
}
