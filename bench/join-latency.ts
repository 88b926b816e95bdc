/** `npm run bench:join`: time from a new photo's upload to its face in a known person, on a running
 * `npm run local` (issue 12; goal under 5 s, docs/people.md). Against the local API
 * (RANKFACE_BENCH_API, default http://127.0.0.1:8787) as a fresh user: uploads the first photos of
 * one lfw-120 identity, waits for the scheduled clustering run to make a person of them and names
 * it, then uploads the identity's other photos one at a time and polls GET /people/{id}/faces every
 * 100 ms until the new face is listed there. Prints one row per photo and the median. Needs the
 * labelled data (/work/shared/data or RANKFACE_DATA); the program itself never does. */
import { readdirSync, readFileSync } from 'node:fs';
import { dataPath } from '../test/helpers/data.ts';

const api = process.env.RANKFACE_BENCH_API ?? 'http://127.0.0.1:8787';
const user = `bench-join-${Date.now().toString(36)}`;
const KNOWN = 4;
const NEW = 4;

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { 'x-user': user, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function upload(file: string): Promise<void> {
  const ticket = (await call('POST', '/uploads', { fileName: file.split('/').pop() })).body as {
    url: string;
    headers: Record<string, string>;
  };
  const res = await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: readFileSync(file) });
  if (!res.ok) throw new Error(`upload of ${file}: ${res.status}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  timeoutMs: number,
  every: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

type Person = { personId: string; faceCount: number };
const people = async (): Promise<Person[]> => (await call('GET', '/people')).body.people as Person[];
const facesOf = async (personId: string): Promise<number> =>
  ((await call('GET', `/people/${personId}/faces`)).body.faces as unknown[]).length;

async function main(): Promise<void> {
  const identity = readdirSync(dataPath('lfw-120'))
    .sort()
    .find((id) => readdirSync(dataPath('lfw-120', id)).length >= KNOWN + NEW)!;
  const files = readdirSync(dataPath('lfw-120', identity))
    .sort()
    .map((f) => dataPath('lfw-120', identity, f));
  process.stderr.write(`bench:join: ${api}, user ${user}, identity ${identity}\n`);
  for (const f of files.slice(0, KNOWN)) await upload(f);
  const person = await until('the first clustering run', 180_000, 1000, async () =>
    (await people()).find((p) => p.faceCount >= KNOWN - 1),
  );
  await call('PATCH', `/people/${person.personId}`, { name: identity });
  const rows: { photo: string; seconds: number }[] = [];
  for (const f of files.slice(KNOWN, KNOWN + NEW)) {
    const before = await facesOf(person.personId);
    const started = performance.now();
    await upload(f);
    await until(`${f} in ${identity}`, 60_000, 100, async () =>
      (await facesOf(person.personId)) > before ? true : undefined,
    ).catch(() => undefined);
    const seconds = (performance.now() - started) / 1000;
    rows.push({
      photo: f.split('/').pop()!,
      seconds: (await facesOf(person.personId)) > before ? seconds : Number.NaN,
    });
  }
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  process.stdout.write(`\n| photo | upload → in the named person (s) |\n|---|---|\n`);
  for (const r of rows)
    process.stdout.write(
      `| ${r.photo} | ${Number.isNaN(r.seconds) ? 'did not join (waits for clustering)' : r.seconds.toFixed(2)} |\n`,
    );
  const joined = rows
    .filter((r) => !Number.isNaN(r.seconds))
    .map((r) => r.seconds)
    .sort((a, b) => a - b);
  process.stdout.write(
    `\nmedian ${joined.length ? joined[Math.floor(joined.length / 2)]!.toFixed(2) : 'n/a'} s over ${joined.length}/${rows.length} photos that joined; load average ${load}\n`,
  );
}

await main();
