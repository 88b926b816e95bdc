import type { FaceRecord } from '#core/ports/face-store.ts';

/** A face record with plausible box, landmarks and quality for stores exercised without running
 * the models (synthetic libraries in benches and store tests): face `index` of `photoId`, its id
 * `<photoId>#<nnn>` as the pipeline makes it. The fields' sizes are those of a real item. */
export function placeholderFace(userId: string, photoId: string, index: number, cropKey?: string): FaceRecord {
  const nnn = String(index).padStart(3, '0');
  return {
    userId,
    faceId: `${photoId}#${nnn}`,
    photoId,
    box: [100.5 + index, 200.25, 180, 180],
    score: 0.99,
    landmarks: [
      [130, 250],
      [210, 250],
      [170, 290],
      [140, 330],
      [200, 330],
    ],
    quality: { sizePx: 180, sharpness: 321.5, yaw: -4.2, pitch: 2.1, roll: 0.7 },
    cropKey: cropKey ?? `faces/${userId}/${photoId}/${nnn}.png`,
  };
}
