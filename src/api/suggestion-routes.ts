import { suggestFaces } from '#core/pipeline/suggest-faces.ts';
import { HttpError, faceViewOf } from './people-routes.ts';
import type { ApiDeps, RouteHandler } from './router.ts';

/** `GET /people/{personId}/suggestions`: faces in no person likely to be this person, each with its
 * calibrated P(same) (models/calibration.json), best first. The web app shows them as "Is this …?". */
export function suggestionRoutes(deps: ApiDeps): Record<'GET /people/{personId}/suggestions', RouteHandler> {
  const faceView = faceViewOf(deps);
  return {
    'GET /people/{personId}/suggestions': async (ctx) => {
      const personId = ctx.params.personId;
      if (!personId) throw new HttpError(400, 'missing path parameter personId');
      if (!deps.pSame) throw new HttpError(501, 'suggestions need a P(same) calibration for the embedder');
      const matches = await suggestFaces(ctx.userId, personId, { faces: deps.faces, calibration: deps.pSame });
      // The few suggested faces are read one by one, not the whole library's faces.
      const records = await Promise.all(matches.map((m) => deps.faces.getFace(ctx.userId, m.faceId)));
      const suggestions = await Promise.all(
        matches.flatMap((m, i) => {
          const record = records[i];
          return record
            ? [
                faceView(record).then((face) => ({
                  face,
                  pSame: Number(m.pSame.toFixed(4)),
                  similarity: Number(m.similarity.toFixed(4)),
                })),
              ]
            : [];
        }),
      );
      return { status: 200, body: { suggestions } };
    },
  };
}
