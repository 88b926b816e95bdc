import type { ApiDeps, RouteHandler } from './router.ts';
import { HEIC_UNSUPPORTED } from '#core/vision/heic.ts';
import { listLooseFaces } from '#core/pipeline/loose-faces.ts';
import { faceViewOf, HttpError } from './people-routes.ts';

const UPLOAD_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/gif', 'image/avif']);
/** iPhone photos the pipeline cannot decode (no HEVC decoder): refused before any upload. */
const HEIC = { types: new Set(['image/heic', 'image/heif', 'image/heic-sequence']), name: /\.(heic|heif)$/i };

/** File names become the last key segment: keep a safe alphabet (spaces allowed: they exercise the
 * '+' form-encoding of S3 event keys). */
function safeFileName(raw: unknown): string {
  if (typeof raw !== 'string') throw new HttpError(400, 'fileName is required');
  const name = raw
    .normalize('NFC')
    .replace(/[^A-Za-z0-9._ -]/g, '_')
    .replace(/^[. ]+/, '')
    .slice(0, 200);
  if (name === '') throw new HttpError(400, 'fileName has no usable characters');
  return name;
}

/** One upload's validated name and type (POST /uploads, and each file of POST /uploads/batch). */
export function uploadRequestOf(body: Record<string, unknown>): { fileName: string; contentType: string } {
  const fileName = safeFileName(body.fileName);
  const contentType = typeof body.contentType === 'string' ? body.contentType : 'image/jpeg';
  if (HEIC.types.has(contentType.toLowerCase()) || HEIC.name.test(fileName)) throw new HttpError(415, HEIC_UNSUPPORTED);
  if (!UPLOAD_TYPES.has(contentType))
    throw new HttpError(400, `contentType must be one of ${[...UPLOAD_TYPES].join(', ')}`);
  return { fileName, contentType };
}

/** The name a photo was uploaded under: the key's last segment without the per-upload id
 * (`uploads/<user>/<16 hex>-<name>`), or a local path's file name. */
export function fileNameOfKey(sourceKey: string): string {
  const last = sourceKey.slice(sourceKey.lastIndexOf('/') + 1);
  return sourceKey.startsWith('uploads/') ? last.replace(/^[0-9a-f]{16}-/, '') : last;
}

/** Photo routes: listing, a photo's faces with their people, and upload URLs. */
export function photoRoutes(
  deps: ApiDeps,
): Record<'GET /photos' | 'GET /photos/{photoId}/faces' | 'GET /faces' | 'POST /uploads', RouteHandler> {
  const { faces } = deps;
  const faceView = faceViewOf(deps);
  return {
    'GET /photos': async ({ userId }) => {
      const photos = await faces.listPhotos(userId);
      return {
        status: 200,
        body: {
          photos: photos.map((p) => ({
            photoId: p.photoId,
            sourceKey: p.sourceKey,
            fileName: fileNameOfKey(p.sourceKey),
            status: p.status,
            faceCount: p.faceCount,
            width: p.width,
            height: p.height,
            error: p.error ?? null,
            updatedAt: p.updatedAt,
          })),
        },
      };
    },
    'GET /photos/{photoId}/faces': async ({ userId, params }) => {
      const photoId = params.photoId ?? '';
      const photo = await faces.getPhoto(userId, photoId);
      if (!photo) throw new HttpError(404, 'no such photo');
      const list = await faces.listFacesOfPhoto(userId, photoId);
      // The photo's faces' memberships by key: O(faces of the photo), not every person's members.
      const personOf = new Map(
        (
          await faces.membershipsOf(
            userId,
            list.map((f) => f.faceId),
          )
        ).map((m) => [m.faceId, m.personId]),
      );
      return {
        status: 200,
        body: {
          photo: {
            photoId,
            status: photo.status,
            error: photo.error ?? null,
            width: photo.width,
            height: photo.height,
          },
          faces: await Promise.all(
            list.map(async (f) => ({ ...(await faceView(f)), personId: personOf.get(f.faceId) ?? null })),
          ),
        },
      };
    },
    // Faces in no person (?state=unassigned, the default, or gated): the web app's loose-face views.
    'GET /faces': async ({ userId, query }) => {
      const state = query.state ?? 'unassigned';
      if (state !== 'unassigned' && state !== 'gated') throw new HttpError(400, 'state must be unassigned or gated');
      return {
        status: 200,
        body: { faces: await Promise.all((await listLooseFaces(userId, state, faces)).map(faceView)) },
      };
    },
    'POST /uploads': async (ctx) => {
      if (!deps.createUpload) throw new HttpError(404, 'uploads are not offered here');
      const { fileName, contentType } = uploadRequestOf(ctx.body());
      return { status: 200, body: await deps.createUpload(ctx.userId, fileName, contentType) };
    },
  };
}
