import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';

/** The face map for the web app: the 2-D projection `rankface cluster` cached for its report,
 * with each face's current person (edits move faces between people; the positions stay). */
export async function readFaceMap(
  outDir: string,
  userId: string,
  store: SqliteFaceStore,
): Promise<{ points: { id: string; x: number; y: number; personId: string | null }[] } | undefined> {
  let cached: { points: { id: string; x: number; y: number }[] };
  try {
    cached = JSON.parse(await readFile(join(outDir, '.cache', 'map.json'), 'utf8')) as typeof cached;
  } catch {
    return undefined;
  }
  const personOf = new Map(
    (await store.listPeople(userId)).flatMap((p) => p.faceIds.map((f) => [f, p.personId] as const)),
  );
  return { points: cached.points.map((p) => ({ id: p.id, x: p.x, y: p.y, personId: personOf.get(p.id) ?? null })) };
}
