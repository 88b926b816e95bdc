import type { Box } from '#core/types.ts';

/** Index of the face whose box centre is nearest the image centre (the main face of a portrait or
 * of an LFW image), or -1 when there is none. */
export function indexOfFaceNearestCentre(
  faces: readonly { readonly box: Box }[],
  width: number,
  height: number,
): number {
  let best = -1;
  let bestD = Infinity;
  faces.forEach((f, i) => {
    const dx = f.box[0] + f.box[2] / 2 - width / 2;
    const dy = f.box[1] + f.box[3] / 2 - height / 2;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}
