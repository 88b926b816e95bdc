import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The REST API's routes: API Gateway resource paths (as in the CDK stack) × method. The stack
 * creates exactly these resources, so the handler routes on `event.resource`. */
export const ROUTES = [
  { method: 'GET', resource: '/people' },
  { method: 'PATCH', resource: '/people/{personId}' },
  { method: 'GET', resource: '/people/{personId}/faces' },
  { method: 'POST', resource: '/people/{personId}/merge' },
  { method: 'GET', resource: '/photos' },
  { method: 'GET', resource: '/photos/{photoId}/faces' },
  { method: 'GET', resource: '/faces' },
  { method: 'POST', resource: '/faces/{faceId}/move' },
  { method: 'POST', resource: '/faces/{faceId}/not-person' },
  { method: 'POST', resource: '/uploads' },
] as const;

export type Route = (typeof ROUTES)[number];
export type RouteKey = Route extends infer R ? (R extends { method: infer M extends string; resource: infer P extends string } ? `${M} ${P}` : never) : never;

export const routeKeyOf = (event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'resource'>): string => `${event.httpMethod} ${event.resource}`;
