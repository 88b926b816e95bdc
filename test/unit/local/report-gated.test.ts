import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '#cli/report/html.ts';
import { buildReport } from '#cli/report/model.ts';
import { QUALITY_GATE } from '#core/vision/quality.ts';
import { face, person, photo } from './fixtures.ts';

// people.json and the report list faces below the quality gate in their own `gated` array and
// section (shaped like `unassigned`, with their quality), apart from the unassigned faces.
describe('report: gated faces', () => {
  const good = { sizePx: 80, sharpness: 120, yaw: 0, pitch: 0, roll: 0, score: 0.93, reasons: ['small'] };
  const poor = {
    sizePx: 12,
    sharpness: 2,
    yaw: 5,
    pitch: 0,
    roll: 0,
    score: QUALITY_GATE / 4,
    reasons: ['blurred', 'weak-embedding'],
  };
  const photos = [photo('u', 'p1'), photo('u', 'p2'), photo('u', 'p3')];
  const faces = [
    face('u', 'p1', 0, { quality: good }),
    face('u', 'p2', 0, { quality: good }),
    face('u', 'p3', 0, { quality: good }),
    face('u', 'p3', 1, { quality: poor }),
  ];
  const report = buildReport({
    photosDir: '/photos',
    generatedAt: new Date('2026-01-01T00:00:00Z'),
    models: { detector: 'd', embedder: 'e' },
    photos,
    faces,
    people: [person('u', 'p_one', ['p1#000', 'p2#000'])],
    skipped: [],
  });

  it('lists the low-quality face in gated, not in unassigned, with its quality', () => {
    expect(report.gated.map((f) => f.face_id)).toEqual(['p3#001']);
    expect(report.gated[0]!.quality).toEqual({ score: QUALITY_GATE / 4, reasons: ['blurred', 'weak-embedding'] });
    expect(report.unassigned.map((f) => f.face_id)).toEqual(['p3#000']);
    expect(report.summary).toMatchObject({ faces: 4, people: 1, unassigned: 1, gated: 1 });
    expect(Object.keys(report.gated[0]!).sort()).toEqual(Object.keys(report.unassigned[0]!).sort());
  });

  it('renders a low-quality section holding that face, with its reasons', () => {
    const html = renderReportHtml(report, { photoHref: (p) => p, map: [] });
    const section = html.slice(
      html.indexOf('<section id="gated">'),
      html.indexOf('</section>', html.indexOf('<section id="gated">')),
    );
    expect(section).toContain(report.gated[0]!.thumb);
    expect(section).toContain('blurred, weak-embedding');
    expect(section).not.toContain(report.unassigned[0]!.thumb);
  });
});
