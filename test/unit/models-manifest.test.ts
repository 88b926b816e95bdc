import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '#test/helpers/data.ts';

interface ManifestModel {
  id: string;
  package: string;
  integrity: string;
  format: string;
  role: string;
  license: string;
  provenance: string;
  files: { from: string; to: string; sha256: string }[];
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'models', 'manifest.json'), 'utf8')) as {
  models: ManifestModel[];
};

describe('models manifest', () => {
  it('pins every model to an exact npm version with a registry integrity and per-file sha256', () => {
    for (const m of manifest.models) {
      expect(m.package).toMatch(/^(@[\w-]+\/)?[\w.-]+@\d+\.\d+\.\d+$/);
      expect(m.integrity).toMatch(/^sha512-[A-Za-z0-9+/=]+$/);
      expect(['onnx', 'tfjs', 'tflite']).toContain(m.format);
      expect(m.license.length).toBeGreaterThan(0);
      expect(m.provenance.length).toBeGreaterThan(0);
      for (const f of m.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('has every model extracted into models/<id>/ with matching hashes (npm run models)', () => {
    for (const m of manifest.models) {
      for (const f of m.files) {
        const p = join(repoRoot, 'models', m.id, f.to);
        expect(existsSync(p), `${p} missing: run npm run models`).toBe(true);
        expect(createHash('sha256').update(readFileSync(p)).digest('hex')).toBe(f.sha256);
      }
    }
  });
});
