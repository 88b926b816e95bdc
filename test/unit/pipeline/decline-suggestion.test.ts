import { describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { rejectFace } from '#core/pipeline/people-edits.ts';
import { seedPeople } from '#test/contract/people-edits.contract.ts';

// A suggestion answered "no": the face (in no person) is declined for the person; nobody changes.
describe('declining a suggested face for a person', () => {
  it('records the rejection, leaves every person as it was, and 404s an unknown person', async () => {
    const store = new SqliteFaceStore(':memory:');
    await seedPeople(store, 'u');
    const before = await store.listPeople('u');
    const deps = { people: store, clock: { now: () => 7 } };
    expect(await rejectFace('u', 'p6#000', deps, 'A')).toEqual({ personId: 'A', faceId: 'p6#000', removed: false });
    expect((await store.getFaceEdit('u', 'p6#000'))?.rejectedPersonIds).toEqual(['A']);
    expect(await store.listPeople('u')).toEqual(before);
    await expect(rejectFace('u', 'p6#000', deps, 'Z')).rejects.toThrow(/no person/);
    await expect(rejectFace('u', 'p6#000', deps)).rejects.toThrow(/not in a person/);
  });
});
