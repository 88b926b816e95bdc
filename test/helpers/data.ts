import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Labelled test data lives beside the repo (`../shared/data`); RANKFACE_DATA overrides. */
export const dataDir = resolve(process.env.RANKFACE_DATA ?? join(repoRoot, '..', 'shared', 'data'));
export const hasData = existsSync(dataDir);
export const dataPath = (...parts: string[]): string => join(dataDir, ...parts);
