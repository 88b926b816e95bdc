import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createDynamoClient } from '#adapters/aws/clients.ts';
import { allowOriginFor } from '#config/aws.ts';
import { readEngineConfig } from '#config/engine.ts';
import { createApiRouter, type ApiRequest, type ApiResponse } from '#api/router.ts';
import { pathOf } from '#api/routes.ts';
import { noMetrics } from '../shared/powertools.ts';
import { noTracing } from '../shared/tracing.ts';
import { lambdaRuntime, lazyHandler, sqsQueue, type AwsRuntime } from '../shared/runtime.ts';
import { awsApiDeps, type ApiHandlerDeps } from './aws-deps.ts';
import {
  dynamoUserRateLimiter,
  parseUserRateLimit,
  RATE_LIMIT_TABLE_ENV,
  USER_RATE_LIMIT_ENV,
  type UserRateLimiter,
} from './user-rate-limit.ts';

export type { ApiHandlerDeps } from './aws-deps.ts';

/** API Gateway (REST, Cognito authorizer) → the shared router → API Gateway result. Every rule lives
 * in the router and the core use-cases; this file only adapts the event and the AWS dependencies
 * (built in aws-deps.ts). */

/** The caller is the Cognito user pool authorizer's `sub` claim: never a path, query or body field. */
function callerOf(event: APIGatewayProxyEvent): string | undefined {
  const sub = (event.requestContext?.authorizer as { claims?: { sub?: unknown } } | null | undefined)?.claims?.sub;
  return typeof sub === 'string' ? sub : undefined;
}

/** The request path rebuilt from the matched resource and its parameters, so the router sees one
 * encoding whatever the stage prefix or API Gateway's own path decoding. */
export function requestOf(event: APIGatewayProxyEvent): ApiRequest {
  const params = event.pathParameters ?? {};
  const decoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v ?? '']));
  const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    method: event.httpMethod,
    path: event.resource ? pathOf(event.resource, decoded) : event.path,
    query: event.queryStringParameters ?? {},
    body: body ?? null,
    userId: callerOf(event),
  };
}

export function createApiHandler(
  deps: ApiHandlerDeps,
): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const route = createApiRouter(awsApiDeps(deps));
  const metrics = deps.metrics ?? noMetrics;
  const tracing = deps.tracing ?? noTracing;
  return async (event) => {
    deps.correlate?.(event.requestContext?.requestId);
    const started = performance.now();
    const request = requestOf(event);
    // Annotations go on the subsegment: X-Ray ignores them on Lambda's own (facade) segment.
    const out = await tracing.span('api', async () => {
      if (request.userId) tracing.annotate('userId', request.userId);
      return (await overUserLimit(request.userId, deps)) ?? route(request);
    });
    metrics.ms('api', performance.now() - started);
    if (out.status >= 500) metrics.error(`http-${out.status}`);
    metrics.flush();
    return resultOf(out, event, deps.allowedOrigins);
  };
}

/** 429 when the caller has used up its window (the router's error body, Retry-After), else
 * undefined. A limiter that cannot be reached lets the request through (logged, counted): the API
 * must not go down because its meter did. */
async function overUserLimit(userId: string | undefined, deps: ApiHandlerDeps): Promise<ApiResponse | undefined> {
  if (!deps.userRateLimiter || userId === undefined) return undefined;
  let retryAfterSeconds: number;
  try {
    retryAfterSeconds = await deps.userRateLimiter.take(userId);
  } catch (err) {
    deps.logger.warn('user rate limiter unavailable; request let through', { error: (err as Error).message });
    deps.metrics?.error('rate-limit-unavailable');
    return undefined;
  }
  if (retryAfterSeconds === 0) return undefined;
  deps.logger.info('user over the request limit', { userId, retryAfterSeconds });
  return {
    status: 429,
    headers: {
      'content-type': 'application/json',
      'access-control-allow-origin': deps.corsOrigin ?? '*',
      'access-control-expose-headers': 'retry-after',
      'retry-after': String(retryAfterSeconds),
    },
    body: JSON.stringify({ error: 'too many requests from this user', retryAfterSeconds }),
  };
}

/** The router's answer as API Gateway's result. With the stack's CORS list, the answer allows the
 * caller's origin only when it is listed. */
function resultOf(
  out: ApiResponse,
  event: APIGatewayProxyEvent,
  allowedOrigins: readonly string[] | undefined,
): APIGatewayProxyResult {
  const headers: Record<string, string> = { ...out.headers };
  if (allowedOrigins) {
    const allowed = allowOriginFor({ allowedOrigins }, event.headers?.origin ?? event.headers?.Origin);
    if (allowed) headers['access-control-allow-origin'] = allowed;
    else delete headers['access-control-allow-origin'];
  }
  return { statusCode: out.status, headers, body: out.body };
}

/** The per-user limit when the stack gave the function its table (user-rate-limit.ts). */
function userRateLimiterOf(runtime: AwsRuntime, env: NodeJS.ProcessEnv = process.env): UserRateLimiter | undefined {
  const table = env[RATE_LIMIT_TABLE_ENV];
  if (!table) return undefined;
  const client = (runtime.tracing ?? noTracing).capture(createDynamoClient(runtime.config));
  const limit = parseUserRateLimit(env[USER_RATE_LIMIT_ENV]);
  return dynamoUserRateLimiter({ client, table, limit, clock: runtime.clock });
}

export const handler = lazyHandler(async () => {
  const runtime = await lambdaRuntime('api');
  const { config } = runtime;
  const userRateLimiter = userRateLimiterOf(runtime);
  return createApiHandler({
    ...runtime,
    ...(userRateLimiter ? { userRateLimiter } : {}),
    presignSeconds: config.presignSeconds,
    maxUploadBytes: config.maxUploadBytes,
    allowedOrigins: config.allowedOrigins,
    modelId: readEngineConfig().embedder,
    ...(config.clusterQueueUrl
      ? {
          clusterQueue: sqsQueue(config, 'clusterQueueUrl', runtime.tracing),
          clusterLeaseSeconds: config.clusterLeaseSeconds,
        }
      : {}),
  });
});
