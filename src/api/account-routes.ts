import { HttpError } from './people-routes.ts';
import type { ApiDeps, RouteHandler } from './router.ts';

/** What `DELETE /me` removed. */
export interface ErasedUser {
  /** S3 objects: uploads and face crops. */
  readonly objects: number;
  /** Table items: photos, faces, vectors, people, edits, the clustering marker. */
  readonly items: number;
}

/** Answer to `POST /recluster`: queued now, or refused until `retryAfterSeconds` have passed. */
export type ReclusterAnswer =
  { readonly queued: true } | { readonly queued: false; readonly retryAfterSeconds: number };

/** The caller's account as a whole: erase everything, re-cluster on demand. Both are cloud
 * operations (the local servers have no account): absent dependencies answer 404. */
export function accountRoutes(deps: ApiDeps): Record<'DELETE /me' | 'POST /recluster', RouteHandler> {
  return {
    'DELETE /me': async ({ userId }) => {
      if (!deps.eraseUser) throw new HttpError(404, 'erasing an account is not offered here');
      const erased = await deps.eraseUser(userId);
      deps.logger.info('user erased', { userId, ...erased });
      return { status: 200, body: { erased } };
    },
    'POST /recluster': async ({ userId }) => {
      if (!deps.requestRecluster) throw new HttpError(404, 'on-demand clustering is not offered here');
      const answer = await deps.requestRecluster(userId);
      if (!answer.queued)
        return {
          status: 429,
          body: { error: 'a clustering run was requested a moment ago', retryAfterSeconds: answer.retryAfterSeconds },
        };
      return { status: 202, body: { queued: true } };
    },
  };
}
