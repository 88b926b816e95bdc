import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { dataPath, describeWithData, repoRoot } from '#test/helpers/data.ts';
import { runClusterExit } from './cluster-helpers.ts';

/** Issue 13, items 5 and 9: damaged or missing model files. Weights of the right size with one
 * byte changed used to load and give wrong vectors (exit 0); a missing landmark model or
 * model.json passed `doctor`. Now the hash is checked at load: cluster and detect stop with one
 * line naming the fix, nothing is analysed, and doctor says not ready. */

const EMBEDDER = 'faceplugin-arcface512';
const LANDMARKS = 'faceplugin-landmark68';

/** A models folder linking to the real models, with `damage` applied to a private copy. */
function modelsWith(root: string, name: string, damage: (dir: string) => void): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const real = join(repoRoot, 'models');
  for (const entry of readdirSync(real)) {
    if (entry === EMBEDDER || entry === LANDMARKS)
      cpSync(join(real, entry), join(dir, entry), { recursive: true, dereference: true });
    else if (entry === 'manifest.json') copyFileSync(join(real, entry), join(dir, entry));
    else symlinkSync(join(real, entry), join(dir, entry));
  }
  damage(dir);
  return dir;
}

const exec = (args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
  promisify(execFile)(process.execPath, [join(repoRoot, 'bin', 'rankface.js'), ...args], {
    cwd: repoRoot,
    timeout: 120_000,
    env: { ...process.env, ...env },
  })
    .then((r) => ({ code: 0, ...r }))
    .catch((e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }));

describeWithData('damaged or missing model files', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-e2e-models-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const photos = join(root, 'photos');
  mkdirSync(photos);
  copyFileSync(dataPath('group', 'bbt', 'bbt4.jpg'), join(photos, 'party.jpg'));

  it('refuses weights with one byte changed, in cluster and detect, with the fix', async () => {
    const models = modelsWith(root, 'flipped', (dir) => {
      const file = join(dir, EMBEDDER, 'model.onnx');
      const bytes = readFileSync(file);
      bytes[bytes.byteLength >> 1] ^= 0xff; // same size, different weights
      writeFileSync(file, bytes);
    });
    const cluster = await runClusterExit(photos, join(root, 'out'), [], { RANKFACE_MODELS: models });
    expect(cluster.code).toBe(2);
    expect(cluster.stderr.trim().split('\n')).toHaveLength(1);
    expect(cluster.stderr).toContain('npm run models');
    expect(cluster.stdout).toBe('');
    const detect = await exec(['detect', join(photos, 'party.jpg'), '--json'], { RANKFACE_MODELS: models });
    expect(detect.code).toBe(2);
    expect(detect.stderr).toContain('npm run models');
  });

  it('doctor is not ready when the landmark model or a model.json is missing', async () => {
    for (const [name, damage] of [
      ['no-landmarks', (dir: string) => rmSync(join(dir, LANDMARKS), { recursive: true })],
      ['no-model-json', (dir: string) => rmSync(join(dir, EMBEDDER, 'model.json'))],
    ] as const) {
      const models = modelsWith(root, name, damage);
      const doctor = await exec(['doctor', '--json'], { RANKFACE_MODELS: models });
      expect(doctor.code).toBe(1);
      expect((JSON.parse(doctor.stdout) as { ready: boolean }).ready).toBe(false);
    }
  });
});
