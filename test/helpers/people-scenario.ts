import { readdirSync } from 'node:fs';
import { dataPath } from './data.ts';

/** The people scenario of issue 12's acceptance, shared by the CLI and the API runs: half of the
 * photos clustered, everyone named, the mistakes corrected as a user would (a face in the wrong
 * person is marked "not this person", a loose face moved to its named person, a second person of
 * the same identity named alike, which merges), the other half added, re-clustered; then what the
 * user said is checked against what the system kept, and the new photos are scored. Ground truth:
 * a photo's LARGEST face is its folder's identity; other faces are unlabelled. */

/** Identities of lfw-120 with five or more photos, at most SIX photos each: even-numbered photos
 * are the first half, odd-numbered ones arrive later. */
export function scenarioPhotos(): { identity: string; file: string; path: string; half: 1 | 2 }[] {
  const dir = dataPath('lfw-120');
  return readdirSync(dir)
    .sort()
    .flatMap((identity) => {
      const files = readdirSync(dataPath('lfw-120', identity)).sort();
      if (files.length < 5) return [];
      return files.slice(0, 6).map((file, i) => ({
        identity,
        file,
        path: dataPath('lfw-120', identity, file),
        half: (i % 2 === 0 ? 1 : 2) as 1 | 2,
      }));
    });
}

export interface ScenarioFace {
  readonly faceId: string;
  /** Identifies the photo (a relative path, or a photo id): the key of `identityOf`. */
  readonly photo: string;
  /** Box area, to find each photo's largest face. */
  readonly area: number;
}

export interface ScenarioState {
  readonly people: readonly {
    readonly id: string;
    readonly name: string | null;
    readonly faces: readonly ScenarioFace[];
  }[];
  readonly unassigned: readonly ScenarioFace[];
}

/** The user's edit commands (CLI or API) and a way to read the people back. */
export interface ScenarioUser {
  state(): Promise<ScenarioState>;
  name(personId: string, name: string): Promise<void>;
  reject(faceId: string): Promise<void>;
  move(faceId: string, personId: string): Promise<void>;
}

/** What the user said, to hold the system to afterwards. */
export interface UserWord {
  /** face → the person it was confirmed in (every face of a named person, and moved faces). */
  readonly confirmed: ReadonlyMap<string, string>;
  /** face → the person it was rejected from. */
  readonly rejected: ReadonlyMap<string, string>;
  /** person id → name. */
  readonly names: ReadonlyMap<string, string>;
  /** Photos of the first half. */
  readonly oldPhotos: ReadonlySet<string>;
  readonly edits: { named: number; rejected: number; moved: number };
}

const allFaces = (s: ScenarioState): ScenarioFace[] => [...s.people.flatMap((p) => p.faces), ...s.unassigned];

/** face id → identity, for each photo's largest face whose photo has a known identity. */
export function labelled(state: ScenarioState, identityOf: (photo: string) => string | undefined): Map<string, string> {
  const largest = new Map<string, ScenarioFace>();
  for (const f of allFaces(state)) if ((largest.get(f.photo)?.area ?? -1) < f.area) largest.set(f.photo, f);
  const out = new Map<string, string>();
  for (const [photo, f] of largest) {
    const identity = identityOf(photo);
    if (identity !== undefined) out.set(f.faceId, identity);
  }
  return out;
}

function majority(identities: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const i of identities) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

/** A user also overrules a clustering that was right: when the run made no mistake to correct,
 * one face of the largest named person is marked "not this person" anyway, and one loose face is
 * put into a named person, so that both kinds of word are exercised and held to. */
async function overrule(
  user: ScenarioUser,
  rejected: Map<string, string>,
  edits: { rejected: number; moved: number },
): Promise<void> {
  const now = await user.state();
  const named = now.people
    .filter((p) => p.name !== null)
    .sort((a, b) => b.faces.length - a.faces.length || (a.id < b.id ? -1 : 1));
  const largest = named[0];
  if (edits.rejected === 0 && largest !== undefined && largest.faces.length >= 3) {
    const face = [...largest.faces].sort((a, b) => (a.faceId < b.faceId ? -1 : 1))[0]!;
    await user.reject(face.faceId);
    rejected.set(face.faceId, largest.id);
    edits.rejected++;
  }
  const loose = now.unassigned.find((f) => !rejected.has(f.faceId));
  const into = named[named.length - 1];
  if (edits.moved === 0 && loose !== undefined && into !== undefined) {
    await user.move(loose.faceId, into.id);
    edits.moved++;
  }
}

/** Name everyone and correct the mistakes; returns what the user said. */
export async function nameAndCorrect(
  user: ScenarioUser,
  identityOf: (photo: string) => string | undefined,
): Promise<UserWord> {
  const first = await user.state();
  const truth = labelled(first, identityOf);
  const edits = { named: 0, rejected: 0, moved: 0 };
  const rejected = new Map<string, string>();
  const identityOfPerson = new Map<string, string>();
  for (const p of first.people) {
    const identity = majority(p.faces.flatMap((f) => truth.get(f.faceId) ?? []));
    if (identity === undefined) continue;
    identityOfPerson.set(p.id, identity);
    for (const f of p.faces) {
      const t = truth.get(f.faceId);
      if (t === undefined || t === identity) continue;
      await user.reject(f.faceId);
      rejected.set(f.faceId, p.id);
      edits.rejected++;
    }
  }
  // Naming a second person of an identity with the same name merges it into the first.
  for (const [personId, identity] of [...identityOfPerson].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    await user.name(personId, identity);
    edits.named++;
  }
  const named = await user.state();
  const personOfName = new Map(named.people.flatMap((p) => (p.name === null ? [] : [[p.name, p.id] as const])));
  for (const f of named.unassigned) {
    const to = personOfName.get(truth.get(f.faceId) ?? '');
    if (to === undefined || rejected.get(f.faceId) === to) continue;
    await user.move(f.faceId, to);
    edits.moved++;
  }
  await overrule(user, rejected, edits);
  const final = await user.state();
  const confirmed = new Map(
    final.people.filter((p) => p.name !== null).flatMap((p) => p.faces.map((f) => [f.faceId, p.id] as const)),
  );
  const names = new Map(final.people.flatMap((p) => (p.name === null ? [] : [[p.id, p.name] as const])));
  // A rejection the user later overrode by a move is no longer a rejection.
  for (const [face, from] of rejected) if (confirmed.get(face) === from) rejected.delete(face);
  return { confirmed, rejected, names, oldPhotos: new Set(allFaces(final).map((f) => f.photo)), edits };
}

export interface ScenarioScore {
  readonly confirmedMoved: number;
  readonly rejectedBack: number;
  readonly namesLost: number;
  readonly namesDuplicated: number;
  /** Largest faces of new photos whose identity has a named person. */
  readonly newOfNamed: number;
  /** New largest faces that ended in a named person. */
  readonly newNamed: number;
  readonly newCorrect: number;
  readonly precision: number;
  readonly recall: number;
}

/** Hold the system to the user's word after the re-run, and score the new photos by name. */
export function scoreScenario(
  word: UserWord,
  after: ScenarioState,
  identityOf: (photo: string) => string | undefined,
): ScenarioScore {
  const personOf = new Map(after.people.flatMap((p) => p.faces.map((f) => [f.faceId, p] as const)));
  const confirmedMoved = [...word.confirmed].filter(([f, p]) => personOf.get(f)?.id !== p).length;
  const rejectedBack = [...word.rejected].filter(([f, p]) => personOf.get(f)?.id === p).length;
  const namesNow = after.people.flatMap((p) => (p.name === null ? [] : [p.name]));
  const namesLost = [...word.names].filter(([id, name]) => after.people.find((p) => p.id === id)?.name !== name).length;
  const namesDuplicated = namesNow.length - new Set(namesNow).size;
  const namedIdentities = new Set(word.names.values());
  let newOfNamed = 0;
  let newNamed = 0;
  let newCorrect = 0;
  for (const [faceId, identity] of labelled(after, identityOf)) {
    const face =
      personOf.get(faceId)?.faces.find((f) => f.faceId === faceId) ?? after.unassigned.find((f) => f.faceId === faceId);
    if (face === undefined || word.oldPhotos.has(face.photo)) continue;
    const name = personOf.get(faceId)?.name ?? null;
    if (namedIdentities.has(identity)) newOfNamed++;
    if (name === null) continue;
    newNamed++;
    if (name === identity) newCorrect++;
  }
  return {
    confirmedMoved,
    rejectedBack,
    namesLost,
    namesDuplicated,
    newOfNamed,
    newNamed,
    newCorrect,
    precision: newNamed === 0 ? 0 : newCorrect / newNamed,
    recall: newOfNamed === 0 ? 0 : newCorrect / newOfNamed,
  };
}
