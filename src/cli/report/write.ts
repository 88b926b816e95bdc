import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { renderReportHtml } from './html.ts';
import { buildReport, type PeopleReport, type ReportFace, type ReportInput } from './model.ts';
import type { MapPoint } from './projection.ts';
import { fileExists, pruneThumbs, writeCropThumb, writeFaceThumbs } from './thumbs.ts';

/** Writes `<out>/people.json`, `<out>/index.html` and the thumbnails they reference. Thumbnails are
 * made only when missing (a re-run reuses them) and the map projection is cached by the set of
 * faces, so an unchanged folder re-renders in milliseconds. */

export interface WriteReportInput extends ReportInput {
  readonly outDir: string;
  /** Identity vectors of the faces to place on the map (one model). */
  readonly vectors: readonly { id: string; vector: Float32Array }[];
  readonly modelId: string;
  /** Bytes of a source photo by its path relative to the photos folder. */
  readonly readPhoto: (photo: string) => Promise<Uint8Array>;
  /** Stored aligned crop of a face, used when its photo cannot be read. */
  readonly readCrop: (faceId: string) => Promise<Uint8Array | undefined>;
}

export interface WrittenReport {
  readonly report: PeopleReport;
  readonly html: string;
  readonly json: string;
  readonly thumbsMade: number;
  readonly thumbsRemoved: number;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }); // no stray .tmp file after a failed write (disk full)
    throw err;
  }
}

/** Names of the thumbnails rankface wrote into `<out>/thumbs/`: the only files it ever prunes. */
const thumbManifestOf = (outDir: string): string => join(outDir, '.cache', 'thumbs.json');

async function readThumbManifest(outDir: string): Promise<Set<string>> {
  try {
    const names = JSON.parse(await readFile(thumbManifestOf(outDir), 'utf8')) as unknown;
    return new Set(Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : []);
  } catch {
    return new Set();
  }
}

async function writeThumbManifest(outDir: string, names: ReadonlySet<string>): Promise<void> {
  await mkdir(join(outDir, '.cache'), { recursive: true });
  await writeAtomic(thumbManifestOf(outDir), JSON.stringify([...names].sort()));
}

/** Relative, URL-encoded link from the output folder to a photo in the scanned folder. */
export function photoHrefFrom(outDir: string, photosDir: string): (photo: string) => string {
  return (photo) => {
    const rel = relative(resolve(outDir), join(resolve(photosDir), ...photo.split('/')));
    return rel
      .split(sep)
      .map((s) => (s === '..' ? s : encodeURIComponent(s)))
      .join('/');
  };
}

/** Makes the missing thumbnails; returns the file names (in `thumbs/`) it wrote. */
async function ensureThumbs(report: PeopleReport, input: WriteReportInput): Promise<string[]> {
  const all: ReportFace[] = [...report.people.flatMap((p) => p.faces), ...report.unassigned, ...report.gated];
  const missingByPhoto = new Map<string, ReportFace[]>();
  for (const f of all) {
    if (await fileExists(join(input.outDir, f.thumb))) continue;
    const list = missingByPhoto.get(f.photo) ?? [];
    list.push(f);
    missingByPhoto.set(f.photo, list);
  }
  const made: string[] = [];
  const nameOf = (f: ReportFace): string => f.thumb.slice('thumbs/'.length);
  for (const [photo, faces] of missingByPhoto) {
    try {
      await writeFaceThumbs(
        await input.readPhoto(photo),
        faces.map((f) => ({ box: f.box, file: join(input.outDir, f.thumb) })),
      );
      made.push(...faces.map(nameOf));
    } catch {
      // The photo went unreadable since it was processed: fall back to the aligned crop.
      for (const f of faces) {
        const crop = await input.readCrop(f.face_id);
        if (crop) {
          await writeCropThumb(crop, join(input.outDir, f.thumb));
          made.push(nameOf(f));
        }
      }
    }
  }
  return made;
}

async function cachedProjection(input: WriteReportInput): Promise<MapPoint[]> {
  const key = createHash('sha256')
    .update(`v1\n${input.modelId}\n`)
    .update(
      input.vectors
        .map((v) => v.id)
        .sort()
        .join('\n'),
    )
    .digest('hex');
  const cacheFile = join(input.outDir, '.cache', 'map.json');
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as { key: string; points: MapPoint[] };
    if (cached.key === key) return cached.points;
  } catch {
    // No cache yet, or unreadable: recompute.
  }
  // umap-js is loaded only when the faces changed.
  const { projectFaces } = await import('./projection.ts');
  const points = projectFaces(input.vectors);
  await mkdir(join(input.outDir, '.cache'), { recursive: true });
  await writeAtomic(cacheFile, JSON.stringify({ key, points }));
  return points;
}

export async function writeReport(input: WriteReportInput): Promise<WrittenReport> {
  await mkdir(input.outDir, { recursive: true });
  const report = buildReport(input);
  const made = await ensureThumbs(report, input);
  const keep = new Set(
    [...report.people.flatMap((p) => p.faces), ...report.unassigned, ...report.gated].map((f) =>
      f.thumb.slice('thumbs/'.length),
    ),
  );
  const written = new Set([...(await readThumbManifest(input.outDir)), ...made]);
  const removed = await pruneThumbs(join(input.outDir, 'thumbs'), written, keep);
  for (const name of removed) written.delete(name);
  await writeThumbManifest(input.outDir, written);
  // Only faces that are in the report go on the map (a vector may outlive its face by a moment).
  const faceIds = new Set(input.faces.map((f) => f.faceId));
  const map = await cachedProjection({ ...input, vectors: input.vectors.filter((v) => faceIds.has(v.id)) });
  const html = renderReportHtml(report, { photoHref: photoHrefFrom(input.outDir, input.photosDir), map });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await writeAtomic(join(input.outDir, 'people.json'), json);
  await writeAtomic(join(input.outDir, 'index.html'), html);
  return { report, html, json, thumbsMade: made.length, thumbsRemoved: removed.length };
}
