import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress, formatDuration } from '#cli/progress.ts';

function capture(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  stream.write = ((chunk: string) => {
    chunks.push(String(chunk));
    return true;
  }) as NodeJS.WriteStream['write'];
  Object.assign(stream, { isTTY: tty, columns: 120 });
  return { stream, text: () => chunks.join('') };
}

describe('Progress', () => {
  it('redraws one bar line with an ETA on a terminal', () => {
    let t = 0;
    const out = capture(true);
    const p = new Progress({ label: 'analysing', total: 4, stream: out.stream, now: () => t });
    t = 1000;
    p.tick('a.jpg');
    expect(p.eta()).toBeCloseTo(3, 5); // 1 s per photo, 3 left
    t = 2000;
    p.tick('b.jpg');
    p.finish();
    const text = out.text();
    expect(text).toContain('\r\x1b[2K');
    expect(text).toContain('1/4');
    expect(text).toContain('ETA 0:03');
    expect(text).toContain('2/4  0:02 elapsed  ETA 0:02  b.jpg');
    expect(text.endsWith('analysing: 2/4 in 0:02\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2); // the bar never scrolls the terminal
  });

  it('writes plain, throttled lines when not a terminal', () => {
    let t = 0;
    const out = capture(false);
    const p = new Progress({ label: 'analysing', total: 100, stream: out.stream, now: () => t, plainEveryMs: 5000 });
    for (let i = 0; i < 100; i++) {
      t += 100;
      p.tick();
    }
    p.finish();
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toBe('analysing: 0/100');
    expect(out.text()).not.toContain('\x1b');
    expect(lines).toContain('analysing: 50/100 (50%)  10.0/s  ETA 0:05');
    expect(lines.length).toBeLessThanOrEqual(4); // one line per 5 s of a 10 s run, plus start and end
    expect(lines.at(-1)).toBe('analysing: 100/100 in 0:10');
  });

  it('formats durations as m:ss or h:mm:ss', () => {
    expect([formatDuration(0), formatDuration(65), formatDuration(3725), formatDuration(Number.NaN)]).toEqual([
      '0:00',
      '1:05',
      '1:02:05',
      '--:--',
    ]);
  });
});
