import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PeopleReport } from '#cli/report/model.ts';
import type { ClusterSummary } from '#cli/commands/cluster.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { clusteringMetrics } from '#core/metrics/index.ts';
import {
  BBT_CHARACTERS,
  allFaces,
  makeBbtFolder,
  predictedOf,
  readPeople,
  runCluster,
  truthOf,
} from './cluster-helpers.ts';

/** `rankface cluster` on the Big Bang Theory crops plus group photos finds one person per character. */
describeWithData('rankface cluster on bbt', () => {
  let root = '';
  let summary: ClusterSummary;
  let report: PeopleReport;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rankface-e2e-bbt-'));
    makeBbtFolder(join(root, 'photos'));
    ({ summary } = await runCluster(join(root, 'photos'), join(root, 'out')));
    report = readPeople(join(root, 'out'));
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('analyses every photo and finds one person per character', () => {
    expect(summary.photos).toBe(45);
    expect(summary.skipped).toEqual([]);
    expect(summary.new_photos).toBe(45);
    expect(summary.people).toBe(BBT_CHARACTERS.length);
    expect(report.people).toHaveLength(BBT_CHARACTERS.length);
    // Every crop has a face; the group photos add at least the 22 annotated ones.
    expect(summary.faces).toBeGreaterThanOrEqual(40 + 22);
  });

  it("puts each character's faces mostly in one person of their own (BCubed F ≥ 0.93)", () => {
    const truth = truthOf(report);
    const predicted = predictedOf(report);
    const faces = allFaces(report).filter((f) => truth.has(f.face_id));
    expect(faces.length).toBeGreaterThanOrEqual(40 + 16); // crops + group faces with an unambiguous label
    const metrics = clusteringMetrics(
      faces.map((f) => truth.get(f.face_id)!),
      faces.map((f) => predicted.get(f.face_id)!),
      faces.map((f) => f.photo),
    );
    expect(metrics.bcubed.f).toBeGreaterThanOrEqual(0.93);
    expect(metrics.same_photo_violations).toBe(0);
    const owners = BBT_CHARACTERS.map((c) => {
      const counts = new Map<string, number>();
      for (const [face, who] of truth)
        if (who === c) counts.set(predicted.get(face)!, (counts.get(predicted.get(face)!) ?? 0) + 1);
      const [owner, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      expect(n / total, `${c}: ${n}/${total} faces in one person`).toBeGreaterThanOrEqual(0.8);
      return owner;
    });
    expect(new Set(owners).size).toBe(BBT_CHARACTERS.length);
  });

  it('never puts two faces of one photo in one person', () => {
    for (const p of report.people) {
      const photos = p.faces.map((f) => f.photo);
      expect(new Set(photos).size).toBe(photos.length);
    }
    expect(new Set(allFaces(report).map((f) => f.face_id)).size).toBe(summary.faces);
  });
});
