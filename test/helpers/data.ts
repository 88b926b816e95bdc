import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Labelled test data lives beside the repo (`../shared/data`); RANKFACE_DATA overrides. */
export const dataDir = resolve(process.env.RANKFACE_DATA ?? join(repoRoot, '..', 'shared', 'data'));
export const hasData = existsSync(dataDir);
export const dataPath = (...parts: string[]): string => join(dataDir, ...parts);

/** CI must run every data-gated test: there, missing data is a failure, not a silent skip. */
export const requireData = process.env.CI === 'true';

/** Something else a data-gated suite needs (a browser, a tool), checked up front. */
export interface Requirement {
  readonly met: boolean;
  /** What is missing, for the message: "chromium at /usr/bin/chromium". */
  readonly what: string;
}

/** `describe` for a suite that reads the labelled data. Without the data it is skipped on a
 * developer machine, but under CI=true it becomes one failing test that names what is missing. */
export function describeWithData(name: string, body: () => void, also?: Requirement): void {
  const missing = !hasData
    ? `the labelled data at ${dataDir} (set RANKFACE_DATA)`
    : also && !also.met
      ? also.what
      : undefined;
  if (missing === undefined) {
    describe(name, body);
  } else if (requireData) {
    describe(name, () => {
      it(`has ${missing}`, () => {
        throw new Error(`${missing} is missing, and CI=true: data-gated tests must run in CI`);
      });
    });
  } else {
    describe.skip(name, body);
  }
}
