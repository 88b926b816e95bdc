import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { createApiRouter } from '#api/router.ts';
import { pathOf } from '#api/routes.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { makeBbtFolder, readPeople, runCluster } from './cluster-helpers.ts';

/** GET /people/{personId}/suggestions and GET /faces/{faceId}/why with the shipped P(same) curves,
 * on the store `rankface cluster` wrote for real photos: a face the clustering left out of its person
 * is suggested for that person (high P(same)) and not for the others; a face the user said is "not
 * this person" is never suggested for it again. */

interface Suggestion {
  readonly face: { readonly faceId: string };
  readonly pSame: number;
}

describeWithData('API suggestions and why with calibrated P(same)', () => {
  let root = '';
  let store: SqliteFaceStore | undefined;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rankface-e2e-suggestions-'));
    makeBbtFolder(join(root, 'photos'), ['howard', 'leonard', 'penny', 'raj'], false);
    await runCluster(join(root, 'photos'), join(root, 'out'), ['--workers', '1']);
  });
  afterAll(() => {
    store?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('suggests a left-out face for its person only, never a rejected one, and explains with P(same)', async () => {
    const report = readPeople(join(root, 'out'));
    expect(report.people.length).toBeGreaterThanOrEqual(4);
    const db = new SqliteFaceStore(join(root, 'out', 'rankface.db'));
    store = db;
    const route = createApiRouter({
      faces: db,
      clock: { now: () => 1 },
      logger: silentLogger,
      corsOrigin: 'null',
      cropUrl: async (k) => `/blobs/${k}`,
      modelId: report.models.embedder,
    });
    const call = async (method: string, resource: string, params: Record<string, string>, body?: unknown) => {
      const out = await route({
        method,
        path: pathOf(resource, params),
        userId: 'local',
        body: body === undefined ? null : JSON.stringify(body),
      });
      return { status: out.status, json: JSON.parse(out.body) as Record<string, unknown> };
    };
    const suggested = async (personId: string): Promise<Suggestion[]> => {
      const r = await call('GET', '/people/{personId}/suggestions', { personId });
      expect(r.status).toBe(200);
      return r.json.suggestions as Suggestion[];
    };

    // The clustering leaves one face of the largest person out (as a too-strict run would).
    const people = await db.listPeople('local');
    const [person, ...others] = [...people].sort((a, b) => b.faceIds.length - a.faceIds.length);
    expect(person!.faceIds.length).toBeGreaterThanOrEqual(4);
    const [left, rejected, kept] = person!.faceIds as [string, string, string];
    await db.replacePeople(
      'local',
      people.map((p) =>
        p.personId === person!.personId ? { ...p, faceIds: p.faceIds.filter((f) => f !== left), coverFaceId: kept } : p,
      ),
    );

    const forPerson = await suggested(person!.personId);
    expect(forPerson.map((s) => s.face.faceId)).toContain(left);
    expect(forPerson.find((s) => s.face.faceId === left)!.pSame).toBeGreaterThan(0.9);
    for (const other of others) expect((await suggested(other.personId)).map((s) => s.face.faceId)).not.toContain(left);

    // "Not this person": the face leaves and is never suggested for that person again.
    expect((await call('POST', '/faces/{faceId}/not-person', { faceId: rejected })).status).toBe(200);
    const after = (await suggested(person!.personId)).map((s) => s.face.faceId);
    expect(after).toContain(left);
    expect(after).not.toContain(rejected);

    const whyKept = (await call('GET', '/faces/{faceId}/why', { faceId: kept })).json.why as {
      personId: string;
      pSame: number;
      nearest: { pSame: number }[];
    };
    expect(whyKept.personId).toBe(person!.personId);
    expect(whyKept.pSame).toBeGreaterThan(0.9);
    expect(whyKept.nearest.length).toBeGreaterThan(0);
    expect(whyKept.nearest[0]!.pSame).toBeGreaterThan(0.5);
    const whyRejected = (await call('GET', '/faces/{faceId}/why', { faceId: rejected })).json.why as {
      personId: string | null;
      unassignedReason: string;
    };
    expect(whyRejected).toMatchObject({ personId: null, unassignedReason: 'rejected-by-user' });
    expect((await call('GET', '/people/{personId}/suggestions', { personId: 'p_nobody' })).status).toBe(404);
  });
});
