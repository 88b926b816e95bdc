import type { ClusterConstraints } from '#core/cluster/types.ts';
import type { UserEdit } from '#core/ports/face-store.ts';

/** Replay a user's edits as clustering constraints, dropping pairs whose faces no longer exist
 * (their photo was deleted). Later edits win: a must-link after a cannot-link on the same pair
 * removes the cannot-link, and vice versa. */
export function constraintsFromEdits(
  edits: readonly UserEdit[],
  existingFaceIds: ReadonlySet<string>,
): ClusterConstraints {
  const pairKey = (a: string, b: string): string => (a < b ? `${a}\n${b}` : `${b}\n${a}`);
  const state = new Map<string, { kind: 'must' | 'cannot'; pair: readonly [string, string] }>();
  const set = (kind: 'must' | 'cannot', a: string, b: string): void => {
    if (a === b || !existingFaceIds.has(a) || !existingFaceIds.has(b)) return;
    state.set(pairKey(a, b), { kind, pair: a < b ? [a, b] : [b, a] });
  };
  for (const edit of edits) {
    if (edit.kind === 'must-link') set('must', edit.faceIds[0], edit.faceIds[1]);
    else if (edit.kind === 'cannot-link') set('cannot', edit.faceIds[0], edit.faceIds[1]);
    else for (const other of edit.personFaceIds) set('cannot', edit.faceId, other);
  }
  const mustLink: (readonly [string, string])[] = [];
  const cannotLink: (readonly [string, string])[] = [];
  for (const key of [...state.keys()].sort()) {
    const { kind, pair } = state.get(key)!;
    (kind === 'must' ? mustLink : cannotLink).push(pair);
  }
  return { mustLink, cannotLink };
}
