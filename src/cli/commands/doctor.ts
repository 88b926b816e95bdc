import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readEngineConfig, repoRoot } from '#config/engine.ts';
import { DEFAULT_LANDMARKS, knownDetectors, knownEmbedders, knownLandmarkModels } from '#core/vision/registry.ts';

/** `rankface doctor [--json]`: which inference backends load here, whether every model in the
 * manifest is present with the right hashes, and versions. Exit 1 if the default pipeline cannot
 * run. */

interface ManifestFile {
  from: string;
  to: string;
  sha256: string;
}
interface ManifestModel {
  id: string;
  package: string;
  format: string;
  role: string;
  license?: string;
  files: ManifestFile[];
}

interface BackendReport {
  name: string;
  available: boolean;
  version?: string;
  note?: string;
}
interface ModelReport {
  id: string;
  role: string;
  format: string;
  package: string;
  present: boolean;
  hashOk: boolean;
  problems: string[];
  registered: boolean;
}

const require = createRequire(import.meta.url);

/** Version of an installed package, found by walking up from its resolved entry to its
 * package.json (some packages do not export ./package.json). */
function installedVersion(name: string): string | undefined {
  try {
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 6; i++) {
      const pj = join(dir, 'package.json');
      if (existsSync(pj)) {
        const parsed = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
        if (parsed.name === name) return parsed.version;
      }
      dir = dirname(dir);
    }
    return 'unknown';
  } catch {
    return undefined;
  }
}

async function backends(): Promise<BackendReport[]> {
  const out: BackendReport[] = [];
  try {
    const ort = await import('onnxruntime-node');
    out.push({
      name: 'onnxruntime-node',
      available: true,
      version: ort.env.versions.common ?? installedVersion('onnxruntime-node') ?? 'unknown',
      note: 'CPU execution provider',
    });
  } catch (err) {
    out.push({ name: 'onnxruntime-node', available: false, note: (err as Error).message });
  }
  const wasm = installedVersion('@tensorflow/tfjs-backend-wasm');
  out.push({
    name: 'tfjs-wasm',
    available: wasm !== undefined,
    ...(wasm ? { version: wasm } : { note: 'not installed' }),
  });
  const tfnode = installedVersion('@tensorflow/tfjs-node');
  out.push({
    name: 'tfjs-node',
    available: tfnode !== undefined,
    ...(tfnode ? { version: tfnode } : { note: 'optional dependency not installed (tfjs-wasm is used instead)' }),
  });
  const sharpVersion = installedVersion('sharp');
  out.push({
    name: 'sharp',
    available: sharpVersion !== undefined,
    ...(sharpVersion ? { version: sharpVersion } : {}),
  });
  return out;
}

async function checkModel(modelsDir: string, m: ManifestModel, registered: Set<string>): Promise<ModelReport> {
  const problems: string[] = [];
  let present = true;
  let hashOk = true;
  for (const f of m.files) {
    const path = join(modelsDir, m.id, f.to);
    if (!existsSync(path)) {
      present = false;
      hashOk = false;
      problems.push(`missing ${f.to}`);
      continue;
    }
    const sha = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    if (sha !== f.sha256) {
      hashOk = false;
      problems.push(`${f.to}: sha256 ${sha.slice(0, 12)}… expected ${f.sha256.slice(0, 12)}…`);
    }
  }
  // The engine reads model.json (the model's version) at load: without it the model cannot run.
  if (!existsSync(join(modelsDir, m.id, 'model.json'))) {
    present = false;
    hashOk = false;
    problems.push('missing model.json');
  }
  return {
    id: m.id,
    role: m.role,
    format: m.format,
    package: m.package,
    present,
    hashOk,
    problems,
    registered: registered.has(m.id),
  };
}

export async function run(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const config = readEngineConfig();
  const manifestPath = [join(config.modelsDir, 'manifest.json'), join(repoRoot, 'models', 'manifest.json')].find((p) =>
    existsSync(p),
  );
  const registered = new Set([...knownDetectors(), ...knownEmbedders(), ...knownLandmarkModels()]);
  const manifest = manifestPath
    ? (JSON.parse(await readFile(manifestPath, 'utf8')) as { models: ManifestModel[] })
    : { models: [] };
  const models = await Promise.all(manifest.models.map((m) => checkModel(config.modelsDir, m, registered)));
  const backendReports = await backends();
  const needed = [config.detector, DEFAULT_LANDMARKS, config.embedder];
  const ready =
    needed.every((id) => models.find((m) => m.id === id)?.hashOk) &&
    backendReports.find((b) => b.name === 'onnxruntime-node')?.available === true;
  const report = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    modelsDir: config.modelsDir,
    manifest: manifestPath ?? null,
    defaults: { detector: config.detector, embedder: config.embedder },
    ready,
    backends: backendReports,
    models,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const w = (s: string): void => void process.stdout.write(`${s}\n`);
    w(`node ${report.node} (${report.platform})`);
    w('backends:');
    for (const b of backendReports)
      w(
        `  ${b.available ? 'ok  ' : 'no  '} ${b.name}${b.version ? ` ${b.version}` : ''}${b.note ? `  (${b.note})` : ''}`,
      );
    w(`models (${config.modelsDir}):`);
    for (const m of models) {
      const state = m.hashOk ? 'ok  ' : m.present ? 'BAD ' : 'miss';
      w(
        `  ${state} ${m.id.padEnd(24)} ${m.role.padEnd(9)} ${m.format.padEnd(6)} ${m.package}${m.registered ? '' : '  (not wired into the engine)'}${m.problems.length ? `  ${m.problems.join('; ')}` : ''}`,
      );
    }
    w(
      `default pipeline: ${config.detector} + ${DEFAULT_LANDMARKS} → ${config.embedder}: ${ready ? 'ready' : 'NOT ready (run `npm run models`)'}`,
    );
  }
  return ready ? 0 : 1;
}
