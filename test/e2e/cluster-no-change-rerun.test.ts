import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData, repoRoot } from '#test/helpers/data.ts';
import { makeBbtFolder, readPeople, runCluster } from './cluster-helpers.ts';

const run = promisify(execFile);

/** A re-run with nothing changed since the last completed run (no photo added, removed or changed,
 * no edit, same engine and settings) neither re-clusters nor rewrites the report, and prints the
 * same summary; an edit, or a deleted report page, makes the next run do both again. */
describeWithData('rankface cluster no-change re-run', () => {
  let root = '';
  const photos = (): string => join(root, 'photos');
  const out = (): string => join(root, 'out');
  const peopleJson = (): string => readFileSync(join(out(), 'people.json'), 'utf8');
  const reportMtime = (): number => statSync(join(out(), 'index.html')).mtimeMs;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rankface-e2e-nochange-'));
    makeBbtFolder(photos(), ['penny', 'sheldon'], false);
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('skips clustering and the report when nothing changed, and not after an edit or a deleted report', async () => {
    const first = await runCluster(photos(), out());
    const written = peopleJson();
    const writtenAt = reportMtime();

    const second = await runCluster(photos(), out());
    const same = [
      'photos',
      'faces',
      'people',
      'unassigned',
      'gated',
      'skipped',
      'duplicates',
      'photos_with_faces',
      'out',
      'report',
      'people_json',
    ] as const;
    for (const key of same) expect(second.summary[key]).toEqual(first.summary[key]);
    expect(second.summary).toMatchObject({
      new_photos: 0,
      reused_photos: first.summary.photos,
      removed_photos: 0,
      renamed_photos: 0,
    });
    expect(second.summary.churn).toMatchObject({ faces_changed: 0, people_created: 0, people_removed: 0 });
    expect(second.summary.timings).toMatchObject({ analyse: 0, cluster: 0, report: 0 });
    expect(peopleJson()).toBe(written); // not rewritten: its generated_at would have moved
    expect(reportMtime()).toBe(writtenAt);

    // An edit since the last run: the next run clusters again (the edit is replayed) and rewrites.
    const person = readPeople(out()).people[0]!.id;
    await run(process.execPath, [join(repoRoot, 'bin', 'rankface.js'), 'name', person, 'Someone', '--out', out()], {
      cwd: repoRoot,
    });
    const afterEdit = peopleJson();
    const third = await runCluster(photos(), out());
    expect(third.summary.timings.cluster).toBeGreaterThan(0);
    expect(peopleJson()).not.toBe(afterEdit);
    expect(readPeople(out()).people.find((p) => p.id === person)?.name).toBe('Someone');

    // The report page deleted by hand: written again.
    rmSync(join(out(), 'index.html'));
    const fourth = await runCluster(photos(), out());
    expect(fourth.summary.timings.report).toBeGreaterThan(0);
    expect(statSync(join(out(), 'index.html')).isFile()).toBe(true);
  });
});
