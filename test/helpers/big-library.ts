import type { FaceRecord, FaceStore, PersonRecord } from '#core/ports/face-store.ts';

/** A library past every page size (1000): one person with `bigPerson` faces, `smallPeople` people
 * of one face each and `unassigned` faces in no person, one face per photo. */
export interface BigLibrary {
  readonly bigPerson: number;
  readonly smallPeople: number;
  readonly unassigned: number;
}

const faceOf = (userId: string, photoId: string): FaceRecord => ({
  userId,
  photoId,
  faceId: `${photoId}#000`,
  cropKey: `crops/${userId}/${photoId}/000.jpg`,
  box: [10, 20, 80, 96],
  score: 0.99,
  landmarks: [
    [30, 50],
    [70, 50],
    [50, 70],
    [35, 90],
    [65, 90],
  ],
  quality: { sizePx: 80, sharpness: 100, yaw: 0, pitch: 0, roll: 0 },
});
const personOf = (userId: string, personId: string, photoIds: readonly string[]): PersonRecord => ({
  userId,
  personId,
  faceIds: photoIds.map((p) => `${p}#000`),
  coverFaceId: `${photoIds[0]}#000`,
  cohesion: 0.7,
  updatedAt: 1,
});

/** Seeds `userId`'s library; returns the photo ids in seeding order. */
export async function seedBigLibrary(store: FaceStore, userId: string, size: BigLibrary): Promise<string[]> {
  const total = size.bigPerson + size.smallPeople + size.unassigned;
  const photoIds = Array.from({ length: total }, (_, i) => `photo-${String(i).padStart(5, '0')}`);
  for (const photoId of photoIds) {
    await store.putPhoto({
      userId,
      photoId,
      sourceKey: `${photoId}.jpg`,
      contentHash: photoId.padEnd(64, '0'),
      width: 100,
      height: 100,
      status: 'embedded',
      faceCount: 1,
      updatedAt: 1,
    });
    await store.replaceFaces(userId, photoId, [faceOf(userId, photoId)]);
  }
  const people = [personOf(userId, 'big', photoIds.slice(0, size.bigPerson))];
  for (let i = 0; i < size.smallPeople; i++)
    people.push(personOf(userId, `small-${String(i).padStart(5, '0')}`, [photoIds[size.bigPerson + i]!]));
  await store.replacePeople(userId, people);
  return photoIds;
}
