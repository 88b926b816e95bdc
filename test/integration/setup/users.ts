import { readFileSync, readdirSync } from 'node:fs';
import { dataPath } from '#test/helpers/data.ts';

/** Two users as Cognito would name them (the `sub` claim is a UUID). */
export const ALICE = '3f1c9a2e-5b7d-4c1e-9a0b-1d2e3f4a5b6c';
export const BOB = '8a7b6c5d-4e3f-4a2b-8c1d-0e9f8a7b6c5d';

export interface TestPhoto {
  readonly fileName: string;
  readonly identity: string;
  readonly bytes: Uint8Array;
}

const read = (...parts: string[]): Uint8Array => new Uint8Array(readFileSync(dataPath(...parts)));

/** Alice: the bbt group photos plus two single-face crops of four of the same people (file names
 * with spaces, which S3 events form-encode as '+'). */
export function alicePhotos(): TestPhoto[] {
  const groups = ['bbt1.jpg', 'bbt2.jpg', 'bbt3.jpg', 'bbt4.jpg', 'bbt5.jpg'].map((f) => ({
    fileName: `group ${f}`,
    identity: 'group',
    bytes: read('group', 'bbt', f),
  }));
  const crops = ['amy', 'leonard', 'penny', 'sheldon'].flatMap((who) =>
    readdirSync(dataPath('bbt', who))
      .sort()
      .slice(0, 2)
      .map((f) => ({ fileName: `${who} ${f}`, identity: who, bytes: read('bbt', who, f) })),
  );
  return [...groups, ...crops];
}

/** Bob: four LFW photos each of three people. */
export function bobPhotos(): TestPhoto[] {
  return ['Al_Gore', 'Adrien_Brody', 'Alan_Greenspan'].flatMap((who) =>
    readdirSync(dataPath('lfw-120', who))
      .sort()
      .slice(0, 4)
      .map((f) => ({ fileName: f, identity: who, bytes: read('lfw-120', who, f) })),
  );
}
