/** `npm run bench:local`: the serverless pipeline end to end as a client uses it, on `npm run local`
 * (issue 11: "two users with 160 real photos, 0 lost, every cross-user read or edit refused;
 * photos/s reported"). Starts `npm run local` on a free port (or uses RANKFACE_BENCH_API), then for
 * two fresh users uploads 80 real photos each through the presigned flow (POST /uploads/batch, PUT
 * to S3), waits until every photo has a terminal status, waits for the scheduled clustering to make
 * people, and has each user try every read and edit route on the other's ids. Prints a table;
 * exits 1 if a photo is lost or a cross-user request is not refused. Needs the labelled data
 * (/work/shared/data or RANKFACE_DATA); the program itself never does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { dataPath, repoRoot } from '../test/helpers/data.ts';

const PHOTOS_PER_USER = 80;
const BATCH = 20;
const TIMEOUT_MS = 20 * 60 * 1000;

interface Upload {
  readonly name: string;
  readonly file: string;
}
interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}
interface PhotoRow {
  readonly photoId: string;
  readonly sourceKey: string;
  readonly status: string;
  readonly faceCount: number;
}

/** Files of a folder-per-identity set, sorted, with a name unique across sets. */
function labelled(set: string): Upload[] {
  return readdirSync(dataPath(set))
    .sort()
    .flatMap((id) =>
      readdirSync(dataPath(set, id))
        .sort()
        .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
        .map((f) => ({ name: `${set}-${id}-${f}`, file: dataPath(set, id, f) })),
    );
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** `npm run local` as a user starts it; resolves once its API listens. */
async function startLocal(port: number): Promise<{ child: ChildProcess; banner: string }> {
  const child = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['scripts/emulators/run-local.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), RANKFACE_LOCAL_CLUSTER_MS: '5000', POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let banner = '';
  child.stderr!.on('data', () => undefined); // the stages' logs: not this bench's output
  await new Promise<void>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`npm run local exited (${code}) before listening:\n${banner}`)));
    child.stdout!.on('data', (d: Buffer) => {
      banner += d.toString('utf8');
      if (banner.includes('  try: ')) ok();
    });
  });
  return { child, banner };
}

function client(api: string, user: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { 'x-user': user, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { raw: text };
    }
    return { status: res.status, body: parsed };
  };
  /** Every item of a cursor-paged list. */
  const list = async <T>(path: string, key: string): Promise<T[]> => {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const r = await call('GET', `${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (r.status !== 200) throw new Error(`${user} GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      out.push(...((r.body[key] as T[]) ?? []));
      cursor = (r.body.nextCursor as string | null | undefined) ?? undefined;
    } while (cursor);
    return out;
  };
  return { user, call, list };
}
type Client = ReturnType<typeof client>;

const contentType = (name: string): string =>
  /\.png$/i.test(name) ? 'image/png' : /\.webp$/i.test(name) ? 'image/webp' : 'image/jpeg';

/** Uploads through the presigned flow; returns the S3 key of each upload. */
async function uploadAll(c: Client, uploads: readonly Upload[]): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < uploads.length; i += BATCH) {
    const batch = uploads.slice(i, i + BATCH);
    const r = await c.call('POST', '/uploads/batch', {
      files: batch.map((u) => ({ fileName: u.name, contentType: contentType(u.name) })),
    });
    if (r.status !== 200) throw new Error(`${c.user} POST /uploads/batch: ${r.status} ${JSON.stringify(r.body)}`);
    const tickets = r.body.uploads as { key: string; url: string; headers: Record<string, string> }[];
    keys.push(...tickets.map((t) => t.key));
    await Promise.all(
      tickets.map(async (t, j) => {
        const res = await fetch(t.url, { method: 'PUT', headers: t.headers, body: readFileSync(batch[j]!.file) });
        if (!res.ok) throw new Error(`${c.user} PUT ${batch[j]!.name}: ${res.status}`);
      }),
    );
  }
  return keys;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const terminal = (p: PhotoRow): boolean => p.status === 'embedded' || p.status === 'error';

/** Polls until every uploaded photo of the user has a terminal status (or the timeout). */
async function processed(c: Client, expected: number, deadline: number): Promise<PhotoRow[]> {
  for (;;) {
    const photos = await c.list<PhotoRow>('/photos?limit=200', 'photos');
    if ((photos.length >= expected && photos.every(terminal)) || Date.now() > deadline) return photos;
    await sleep(500);
  }
}

interface Probe {
  readonly what: string;
  readonly status: number;
  readonly refused: boolean;
}

/** `intruder` tries every route that takes an id on `owner`'s ids. Refused = 403 or 404 (an error
 * body, so nothing of the owner's is returned). */
async function crossUser(intruder: Client, owner: Client): Promise<Probe[]> {
  const people = await owner.list<{ personId: string; name?: string }>('/people?limit=200', 'people');
  const photos = await owner.list<PhotoRow>('/photos?limit=200', 'photos');
  const person = people[0]!;
  const own = (await intruder.list<{ personId: string }>('/people?limit=200', 'people'))[0]!;
  const mine = encodeURIComponent(own.personId);
  const photo = photos.find((p) => p.faceCount > 0)!;
  const faces = ((await owner.call('GET', `/photos/${encodeURIComponent(photo.photoId)}/faces`)).body.faces ?? []) as {
    faceId: string;
  }[];
  const face = encodeURIComponent(faces[0]!.faceId);
  const pid = encodeURIComponent(person.personId);
  const attempts: [string, string, unknown?][] = [
    ['PATCH', `/people/${pid}`, { name: 'intruder' }],
    ['GET', `/people/${pid}/faces`],
    ['POST', `/people/${pid}/merge`, { otherPersonId: own.personId }],
    ['POST', `/people/${mine}/merge`, { otherPersonId: person.personId }],
    ['GET', `/people/${pid}/suggestions`],
    ['GET', `/photos/${encodeURIComponent(photo.photoId)}/faces`],
    ['POST', `/faces/${face}/move`, { toPersonId: own.personId }],
    ['POST', `/faces/${face}/not-person`],
    ['GET', `/faces/${face}/why`],
  ];
  const probes: Probe[] = [];
  for (const [method, path, body] of attempts) {
    const r = await intruder.call(method, path, body);
    const shape = path
      .replace(pid, '{theirs}')
      .replace(mine, '{mine}')
      .replace(face, '{theirs}')
      .replace(encodeURIComponent(photo.photoId), '{theirs}');
    probes.push({
      what: `${method} ${shape}`,
      status: r.status,
      refused: r.status === 403 || r.status === 404,
    });
  }
  // The owner's data is as it was: the rename did not land, the photo is still theirs.
  const after = await owner.call('GET', '/people?limit=200');
  const renamed = ((after.body.people ?? []) as { personId: string; name?: string }[]).find(
    (p) => p.personId === person.personId,
  );
  probes.push({
    what: "owner's person after the intruder's rename",
    status: after.status,
    refused: renamed?.name !== 'intruder',
  });
  return probes;
}

async function main(): Promise<void> {
  const a = labelled('lfw-df-dev').slice(0, PHOTOS_PER_USER);
  const group = readdirSync(dataPath('group'))
    .filter((d) => !d.includes('.'))
    .sort()
    .flatMap((d) =>
      readdirSync(dataPath('group', d))
        .sort()
        .filter((f) => /\.(jpe?g|png)$/i.test(f))
        .map((f) => ({ name: `group-${d}-${f}`, file: dataPath('group', d, f) })),
    );
  const bbt = labelled('bbt');
  const b = [...group, ...bbt, ...labelled('lfw-120')].slice(0, PHOTOS_PER_USER);
  const stamp = Date.now().toString(36);

  let api = process.env.RANKFACE_BENCH_API;
  let child: ChildProcess | undefined;
  if (!api) {
    const port = await freePort();
    const started = await startLocal(port);
    child = started.child;
    api = `http://127.0.0.1:${port}`;
    process.stderr.write(started.banner);
  }
  try {
    const alice = client(api, `bench-a-${stamp}`);
    const bob = client(api, `bench-b-${stamp}`);
    const t0 = performance.now();
    const [keysA, keysB] = await Promise.all([uploadAll(alice, a), uploadAll(bob, b)]);
    const uploadedS = (performance.now() - t0) / 1000;
    const deadline = Date.now() + TIMEOUT_MS;
    const [pa, pb] = await Promise.all([processed(alice, a.length, deadline), processed(bob, b.length, deadline)]);
    const processedS = (performance.now() - t0) / 1000;
    // People: the schedule clusters every 5 s; wait until both users have some.
    let peopleA: unknown[] = [];
    let peopleB: unknown[] = [];
    while (Date.now() < deadline) {
      [peopleA, peopleB] = await Promise.all([
        alice.list('/people?limit=200', 'people'),
        bob.list('/people?limit=200', 'people'),
      ]);
      if (peopleA.length > 0 && peopleB.length > 0) break;
      await sleep(1000);
    }
    const peopleS = (performance.now() - t0) / 1000;
    const probes = [...(await crossUser(bob, alice)), ...(await crossUser(alice, bob))];

    const rows = [
      { who: alice.user, uploads: a, keys: keysA, photos: pa, people: peopleA.length },
      { who: bob.user, uploads: b, keys: keysB, photos: pb, people: peopleB.length },
    ];
    let lost = 0;
    process.stdout.write(
      `\n| user | uploaded | photo records | embedded | error | lost | faces | people |\n|---|---|---|---|---|---|---|---|\n`,
    );
    for (const r of rows) {
      // Lost: an upload with no photo record in a final state (embedded, or error with its reason).
      const done = new Set(r.photos.filter(terminal).map((p) => p.sourceKey));
      const missing = r.keys.filter((k) => !done.has(k)).length;
      lost += missing;
      const count = (s: string): number => r.photos.filter((p) => p.status === s).length;
      const faces = r.photos.reduce((n, p) => n + p.faceCount, 0);
      process.stdout.write(
        `| ${r.who} | ${r.uploads.length} | ${r.photos.length} | ${count('embedded')} | ${count('error')} | ${missing} | ${faces} | ${r.people} |\n`,
      );
    }
    const total = a.length + b.length;
    process.stdout.write(
      `\n${total} photos: uploaded in ${uploadedS.toFixed(1)} s; every photo processed after ${processedS.toFixed(1)} s ` +
        `(**${(total / processedS).toFixed(2)} photos/s** end to end, 2 users at once); people for both after ${peopleS.toFixed(1)} s. ` +
        `Load average ${loadavg()
          .map((v) => v.toFixed(1))
          .join(' / ')}.\n\n| cross-user request | status | refused |\n|---|---|---|\n`,
    );
    for (const p of probes) process.stdout.write(`| ${p.what} | ${p.status} | ${p.refused ? 'yes' : '**NO**'} |\n`);
    const leaks = probes.filter((p) => !p.refused).length;
    process.stdout.write(`\nlost photos: ${lost}; cross-user requests not refused: ${leaks} of ${probes.length}\n`);
    if (lost > 0 || leaks > 0) process.exitCode = 1;
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
  }
}

await main();
