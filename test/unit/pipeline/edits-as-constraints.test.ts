import { describe, expect, it } from 'vitest';
import { constraintsFromEdits } from '#core/pipeline/constraints.ts';

describe('user edits replayed as clustering constraints', () => {
  const faces = new Set(['a', 'b', 'c', 'd']);

  it('turns "not this person" into cannot-links against every face the user saw in that person', () => {
    const c = constraintsFromEdits([{ kind: 'not-person', faceId: 'a', personFaceIds: ['b', 'c'] }], faces);
    expect(c.cannotLink).toEqual([
      ['a', 'b'],
      ['a', 'c'],
    ]);
    expect(c.mustLink).toEqual([]);
  });

  it('lets a later edit on the same pair override an earlier one', () => {
    const c = constraintsFromEdits(
      [
        { kind: 'cannot-link', faceIds: ['b', 'a'] },
        { kind: 'must-link', faceIds: ['a', 'b'] },
      ],
      faces,
    );
    expect(c.mustLink).toEqual([['a', 'b']]);
    expect(c.cannotLink).toEqual([]);
  });

  it('drops pairs whose faces no longer exist', () => {
    const c = constraintsFromEdits([{ kind: 'must-link', faceIds: ['a', 'gone'] }], faces);
    expect(c.mustLink).toEqual([]);
  });
});
