import calibrationFile from '../../models/calibration.json' with { type: 'json' };
import { embedderKeyOf } from '#config/embedder.ts';
import { sameCalibrationOf, type EmbedderCalibration, type SameCalibration } from '#core/pipeline/calibration.ts';

/** The shipped P(same) curves (models/calibration.json, fitted by `npm run bench:calibrate -- --write`),
 * bundled into every build (CLI, Lambda) as data: no models folder is needed to read them. */
const curves = (calibrationFile as { embedders: Record<string, EmbedderCalibration> }).embedders;

/** The calibration of one embedder (for the weights the manifest pins), or undefined when it was never fitted (P(same) is then absent,
 * and nothing joins a person before clustering). */
export function calibrationFor(modelId: string): SameCalibration | undefined {
  const c = curves[modelId];
  // With the model's exact version: the use-cases read only the vectors those weights made.
  return c ? sameCalibrationOf(modelId, c, embedderKeyOf(modelId).modelVersion) : undefined;
}
