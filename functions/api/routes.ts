/** The route table lives with the transport-agnostic router (src/api/routes.ts); the CDK stack and
 * older callers import it from here. */
export { ROUTES, matchRoute, pathOf, type Route, type RouteKey } from '#api/routes.ts';
