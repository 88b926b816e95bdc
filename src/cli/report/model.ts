import type { FaceRecord, PersonRecord, PhotoRecord } from '#core/ports/face-store.ts';
import type { Box, FaceQuality } from '#core/types.ts';
import { passesQualityGate } from '#core/quality-gate.ts';

/** The people report as data: written as `people.json` and rendered as `index.html`. Keys are
 * snake_case and stable (other tools read them). Paths of photos are relative to the scanned folder,
 * thumbnails relative to the output folder. */

export interface ReportFace {
  readonly face_id: string;
  /** Source photo, relative to the scanned folder ('/' separators). */
  readonly photo: string;
  /** [x, y, width, height] in the photo's pixels (after EXIF orientation). */
  readonly box: Box;
  readonly score: number;
  /** Face thumbnail, relative to the output folder. */
  readonly thumb: string;
  /** Engine quality 0..1 and its weak signals (docs/clustering.md#face-quality); absent for faces
   * analysed before quality was scored. */
  readonly quality?: { readonly score: number; readonly reasons: readonly string[] };
}

export interface ReportPerson {
  readonly id: string;
  /** Display name: the user's name for the person, else "Person <rank>". */
  readonly label: string;
  readonly name: string | null;
  /** Hidden by the user (\`rankface hide\`): still listed, so ids stay valid; views may leave it out. */
  readonly hidden: boolean;
  readonly face_count: number;
  readonly photo_count: number;
  /** Mean similarity of the faces to the cover face: higher is a tighter group. */
  readonly cohesion: number;
  readonly cover: ReportFace;
  readonly faces: ReportFace[];
  /** Distinct source photos, sorted. */
  readonly photos: string[];
}

export interface SkippedFile {
  readonly file: string;
  /** Stable code: unsupported, corrupt, empty, too-large, unreadable, internal... */
  readonly code: string;
  readonly reason: string;
}

export interface DuplicateFile {
  readonly file: string;
  /** The file with the same content that was processed instead. */
  readonly same_as: string;
}

export interface PeopleReport {
  readonly version: 1;
  readonly generated_at: string;
  readonly photos_dir: string;
  readonly models: { readonly detector: string; readonly embedder: string };
  readonly summary: {
    readonly photos: number;
    readonly photos_with_faces: number;
    readonly faces: number;
    readonly people: number;
    readonly unassigned: number;
    readonly skipped: number;
    /** Faces below the quality gate. */
    readonly gated: number;
  };
  readonly people: ReportPerson[];
  readonly unassigned: ReportFace[];
  /** Faces below the quality gate: not clustered, shaped like `unassigned`; a user can still move
   * one into a person. */
  readonly gated: ReportFace[];
  readonly skipped: SkippedFile[];
  readonly duplicates: DuplicateFile[];
}

export interface ReportInput {
  readonly photosDir: string;
  readonly generatedAt: Date;
  readonly models: { readonly detector: string; readonly embedder: string };
  readonly photos: readonly PhotoRecord[];
  readonly faces: readonly FaceRecord[];
  readonly people: readonly PersonRecord[];
  readonly skipped: readonly SkippedFile[];
  readonly duplicates?: readonly DuplicateFile[];
}

/** Thumbnail file of a face, relative to the output folder. Face ids are `<hex photo id>#<index>`;
 * anything else is made file-name safe. */
export const thumbPathOf = (faceId: string): string => `thumbs/${faceId.replace(/[^A-Za-z0-9_-]/g, '-')}.jpg`;

const round = (v: number, digits: number): number => Number(v.toFixed(digits));
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function qualityOf(q: FaceQuality | undefined): Pick<ReportFace, 'quality'> {
  return q?.score === undefined ? {} : { quality: { score: round(q.score, 4), reasons: [...(q.reasons ?? [])] } };
}

export function buildReport(input: ReportInput): PeopleReport {
  const photoPath = new Map(input.photos.map((p) => [p.photoId, p.sourceKey]));
  const toFace = (f: FaceRecord): ReportFace => ({
    face_id: f.faceId,
    photo: photoPath.get(f.photoId) ?? '',
    box: f.box.map((v) => round(v, 1)) as Box,
    score: round(f.score, 4),
    thumb: thumbPathOf(f.faceId),
    ...qualityOf(f.quality),
  });
  const faceById = new Map(input.faces.map((f) => [f.faceId, f]));
  const assigned = new Set<string>();

  const visible = input.people.filter((p) => p.faceIds.some((id) => faceById.has(id)));
  const ordered = [...visible].sort((a, b) => b.faceIds.length - a.faceIds.length || byString(a.personId, b.personId));
  const people: ReportPerson[] = ordered.map((p, rank) => {
    const faces = p.faceIds.flatMap((id) => {
      const f = faceById.get(id);
      return f ? [toFace(f)] : [];
    });
    for (const f of faces) assigned.add(f.face_id);
    const coverRecord = faceById.get(p.coverFaceId);
    const cover = coverRecord ? toFace(coverRecord) : faces[0]!;
    // Best faces first: the cover, then by detector score.
    faces.sort(
      (a, b) =>
        Number(b.face_id === cover.face_id) - Number(a.face_id === cover.face_id) ||
        b.score - a.score ||
        byString(a.face_id, b.face_id),
    );
    const photos = [...new Set(faces.map((f) => f.photo))].sort(byString);
    return {
      id: p.personId,
      label: p.name ?? `Person ${rank + 1}`,
      name: p.name ?? null,
      hidden: p.hidden ?? false,
      face_count: faces.length,
      photo_count: photos.length,
      cohesion: round(p.cohesion, 4),
      cover,
      faces,
      photos,
    };
  });

  const byPhoto = (a: ReportFace, b: ReportFace): number =>
    byString(a.photo, b.photo) || byString(a.face_id, b.face_id);
  const left = input.faces.filter((f) => !assigned.has(f.faceId));
  const unassigned = left
    .filter((f) => passesQualityGate(f.quality))
    .map(toFace)
    .sort(byPhoto);
  const gated = left
    .filter((f) => !passesQualityGate(f.quality))
    .map(toFace)
    .sort(byPhoto);
  const okPhotos = input.photos.filter((p) => p.status !== 'error');
  return {
    version: 1,
    generated_at: input.generatedAt.toISOString(),
    photos_dir: input.photosDir,
    models: input.models,
    summary: {
      photos: okPhotos.length,
      photos_with_faces: okPhotos.filter((p) => p.faceCount > 0).length,
      faces: input.faces.length,
      people: people.length,
      unassigned: unassigned.length,
      skipped: input.skipped.length,
      gated: gated.length,
    },
    people,
    unassigned,
    gated,
    skipped: [...input.skipped].sort((a, b) => byString(a.file, b.file)),
    duplicates: [...(input.duplicates ?? [])].sort((a, b) => byString(a.file, b.file)),
  };
}
