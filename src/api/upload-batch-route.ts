import type { ApiDeps, RouteHandler } from './router.ts';
import { HttpError } from './people-routes.ts';
import { uploadRequestOf } from './photo-routes.ts';

/** Most files one request presigns (the answer stays far below API Gateway's and Lambda's limits:
 * ~2.5 KB per ticket). */
export const MAX_UPLOAD_BATCH = 50;

/** `POST /uploads/batch` (added route; POST /uploads stays): N upload tickets for one API request,
 * one Lambda invocation. An upload of a folder of photos then costs one REST API request and one
 * invocation per 50 photos instead of per photo (docs/benchmarks.md, cost). All or nothing: one
 * invalid file refuses the whole request with that file's index, and no URL is made. */
export function uploadBatchRoute(deps: ApiDeps): Record<'POST /uploads/batch', RouteHandler> {
  return {
    'POST /uploads/batch': async (ctx) => {
      if (!deps.createUpload) throw new HttpError(404, 'uploads are not offered here');
      const files = ctx.body().files;
      if (!Array.isArray(files) || files.length === 0 || files.length > MAX_UPLOAD_BATCH) {
        throw new HttpError(
          400,
          `files must be an array of 1 to ${MAX_UPLOAD_BATCH} { fileName, contentType } objects`,
        );
      }
      const requests = files.map((f: unknown, i) => {
        if (typeof f !== 'object' || f === null || Array.isArray(f))
          throw new HttpError(400, `files[${i}] must be an object`);
        try {
          return uploadRequestOf(f as Record<string, unknown>);
        } catch (err) {
          if (err instanceof HttpError) throw new HttpError(err.status, `files[${i}]: ${err.message}`);
          throw err;
        }
      });
      const create = deps.createUpload;
      const uploads = await Promise.all(requests.map((r) => create(ctx.userId, r.fileName, r.contentType)));
      return { status: 200, body: { uploads } };
    },
  };
}
