import { RankfaceError } from '#core/errors.ts';
import type { FaceRecord, PersonHead, PersonRecord } from '#core/ports/face-store.ts';
import type { CropRegion } from '#core/types.ts';
import {
  MAX_NAME_LENGTH,
  mergePeople,
  moveFace,
  rejectFace,
  renamePerson,
  setPersonHidden,
  type PeopleEditDeps,
} from '#core/pipeline/people-edits.ts';
import { explainFace } from '#core/pipeline/why-face.ts';
import { cropKeyOf } from '#core/pipeline/keys.ts';
import { keyPageOf } from './pagination.ts';
import type { ApiDeps, RouteContext, RouteHandler } from './router.ts';

/** An HTTP status with a message for the client (validation failures, unknown ids). */
/** Stable codes for the statuses the API raises on purpose (the response body keeps `error`). */
const HTTP_CODES: Readonly<Record<number, string>> = { 400: 'bad-request', 401: 'unauthenticated', 404: 'not-found' };

export class HttpError extends RankfaceError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(HTTP_CODES[status] ?? `http-${status}`, message);
  }
}

export const personView = (p: PersonRecord | PersonHead) => ({
  personId: p.personId,
  name: p.name ?? null,
  hidden: p.hidden ?? false,
  faceCount: 'faceIds' in p ? p.faceIds.length : p.faceCount,
  coverFaceId: p.coverFaceId,
  cohesion: p.cohesion,
  updatedAt: p.updatedAt,
});

/** A crop sheet's URL names the face's rectangle in its fragment (`#xywh=x,y,w,h&sheet=W,H`): never
 * sent to the server, so a signed URL stays valid; the web app shows that rectangle (FaceCrop). */
export function withRegion(url: string | null, region: CropRegion | undefined): string | null {
  if (url === null || !region) return url;
  return `${url}#xywh=${region.x},${region.y},${region.width},${region.height}&sheet=${region.sheetWidth},${region.sheetHeight}`;
}

export const faceViewOf = (deps: Pick<ApiDeps, 'cropUrl'>) => async (f: FaceRecord) => ({
  faceId: f.faceId,
  photoId: f.photoId,
  box: f.box,
  score: f.score,
  quality: f.quality,
  cropUrl: f.cropKey ? withRegion(await deps.cropUrl(f.cropKey), f.cropRegion) : null,
  // Added field: when set, cropUrl is the photo's crop sheet (every face of the photo in one image)
  // and this face is the region given; null when the image is the face alone.
  cropRegion: f.cropRegion ?? null,
});

/** Face ids in the order the stores list faces (SQLite `ORDER BY face_id`, DynamoDB's sort key: both
 * UTF-8 byte order), so a page of a person's ids is the page the listing would have given. JS string
 * order is UTF-16 order, the same unless an id has characters from U+D800 up. */
export function inStoreOrder(ids: readonly string[]): string[] {
  const sorted = [...ids];
  if (!sorted.some((id) => /[\uD800-\uFFFF]/.test(id))) return sorted.sort();
  return sorted.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

const param = (ctx: RouteContext, name: string): string => {
  const v = ctx.params[name];
  if (!v) throw new HttpError(400, `missing path parameter ${name}`);
  return v;
};

function nameOf(body: Record<string, unknown>): string | null | undefined {
  const name = body.name;
  if (name === undefined || name === null) return name;
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)
    throw new HttpError(400, `name must be a string of at most ${MAX_NAME_LENGTH} characters, or null`);
  return name;
}

/** GET /people: visible people (or all with `hidden=include`), largest first, each with its cover crop. */
function listPeopleRoute(deps: ApiDeps): RouteHandler {
  const { faces } = deps;
  return async ({ userId, query }) => {
    const includeHidden = query.hidden === 'include';
    // Heads only: O(people), whatever their sizes.
    const people = (await faces.listPersonHeads(userId)).filter((p) => includeHidden || !p.hidden);
    people.sort((a, b) => b.faceCount - a.faceCount || (a.personId < b.personId ? -1 : 1));
    // coverUrl (added field): the grid shows each person's cover crop without a request per person.
    // The cover's crop may sit in its photo's crop sheet (coverRegion, added field): read the faces.
    const covers = new Map(
      (
        await faces.getFaces(
          userId,
          people.map((p) => p.coverFaceId),
        )
      ).map((f) => [f.faceId, f]),
    );
    const withCover = async (p: PersonHead) => {
      const cover = covers.get(p.coverFaceId);
      const coverUrl = withRegion(
        await deps.cropUrl(cover?.cropKey ?? cropKeyOf(userId, p.coverFaceId)),
        cover?.cropRegion,
      );
      return { ...personView(p), coverUrl, coverRegion: cover?.cropRegion ?? null };
    };
    return { status: 200, body: { people: await Promise.all(people.map(withCover)) } };
  };
}

/** GET /people/{personId}/faces: one page of the person's faces, read by key from the cursor. */
function personFacesRoute(
  deps: ApiDeps,
  personOrThrow: (userId: string, personId: string) => Promise<PersonHead>,
): RouteHandler {
  const { faces } = deps;
  const faceView = faceViewOf(deps);
  return async (ctx) => {
    const person = await personOrThrow(ctx.userId, param(ctx, 'personId'));
    // Paged here, by key, before any face is read: a page of 300 reads 300 memberships (a Query
    // from the cursor's face id) and 300 faces, not the person's or the library's every face.
    const page = await keyPageOf(ctx.query, (after, limit) =>
      faces.listPersonMembers(ctx.userId, person.personId, { ...(after !== undefined ? { after } : {}), limit }),
    );
    const records = await faces.getFaces(
      ctx.userId,
      page.items.map((m) => m.faceId),
    );
    const byId = new Map(records.map((f) => [f.faceId, f]));
    // provisional (added field): joined at once after embedding, until the next clustering run decides.
    const found = page.items.flatMap((m) => {
      const f = byId.get(m.faceId);
      return f ? [{ face: f, provisional: m.provisional }] : [];
    });
    const view = async ({ face, provisional }: { face: FaceRecord; provisional: boolean }) => ({
      ...(await faceView(face)),
      provisional,
    });
    return {
      status: 200,
      body: { person: personView(person), faces: await Promise.all(found.map(view)), nextCursor: page.nextCursor },
      paged: true,
    };
  };
}

type PeopleRoutes = Record<
  | 'GET /people'
  | 'PATCH /people/{personId}'
  | 'GET /people/{personId}/faces'
  | 'POST /people/{personId}/merge'
  | 'POST /faces/{faceId}/move'
  | 'POST /faces/{faceId}/not-person'
  | 'GET /faces/{faceId}/why',
  RouteHandler
>;

/** People routes: listing, the edits (one core use-case each) and `why`. */
export function peopleRoutes(deps: ApiDeps): PeopleRoutes {
  const { faces } = deps;
  const edits: PeopleEditDeps = {
    people: faces,
    clock: deps.clock,
    ...(deps.onEdited ? { onEdited: deps.onEdited } : {}),
  };
  const personOrThrow = async (userId: string, personId: string): Promise<PersonHead> => {
    const [p] = await faces.getPersonHeads(userId, [personId]);
    if (!p) throw new HttpError(404, 'no such person');
    return p;
  };
  return {
    'GET /people': listPeopleRoute(deps),
    'PATCH /people/{personId}': async (ctx) => {
      const personId = param(ctx, 'personId');
      const body = ctx.body();
      const name = nameOf(body);
      if (body.hidden !== undefined && typeof body.hidden !== 'boolean')
        throw new HttpError(400, 'hidden must be a boolean');
      let person = await personOrThrow(ctx.userId, personId);
      if (typeof body.hidden === 'boolean') person = await setPersonHidden(ctx.userId, personId, body.hidden, edits);
      // A name another person has merges into that person: the answer is the person that remains.
      if (name !== undefined) person = await renamePerson(ctx.userId, personId, name, edits);
      return { status: 200, body: { person: personView(person) } };
    },
    'GET /people/{personId}/faces': personFacesRoute(deps, personOrThrow),
    'POST /people/{personId}/merge': async (ctx) => {
      const intoId = param(ctx, 'personId');
      const otherId = ctx.body().otherPersonId;
      if (typeof otherId !== 'string' || otherId === intoId)
        throw new HttpError(400, 'otherPersonId must name another person');
      await personOrThrow(ctx.userId, intoId);
      const merged = await mergePeople(ctx.userId, otherId, intoId, edits);
      return { status: 200, body: { person: personView(merged) } };
    },
    'POST /faces/{faceId}/move': async (ctx) => {
      const toId = ctx.body().toPersonId;
      if (typeof toId !== 'string') throw new HttpError(400, 'toPersonId is required');
      const moved = await moveFace(ctx.userId, param(ctx, 'faceId'), toId, edits);
      return { status: 200, body: { person: personView(moved) } };
    },
    'POST /faces/{faceId}/not-person': async (ctx) => {
      // Optional personId (added): "not this person" for a face outside it, i.e. a declined suggestion.
      const personId = ctx.body().personId;
      if (personId !== undefined && typeof personId !== 'string') throw new HttpError(400, 'personId must be a string');
      return { status: 200, body: await rejectFace(ctx.userId, param(ctx, 'faceId'), edits, personId) };
    },
    'GET /faces/{faceId}/why': async (ctx) => {
      if (!deps.modelId) throw new HttpError(501, 'why needs the embedder model id');
      const answer = await explainFace(ctx.userId, param(ctx, 'faceId'), {
        faces,
        modelId: deps.modelId,
        ...(deps.pSame ? { pSame: deps.pSame } : {}),
      });
      return { status: 200, body: { why: answer } };
    },
  };
}
