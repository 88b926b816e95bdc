/** Use-cases shared by the local CLI and the Lambda handlers: the same code behind both. */
export {
  detectPhoto,
  processPhoto,
  storeAnalyzedPhoto,
  recordPhotoFailure,
  type PhotoInput,
  type PhotoOutcome,
  type DetectDeps,
} from './detect-photo.ts';
export { embedPhotoFaces, type EmbedDeps } from './embed-faces.ts';
export { clusterUser, type ClusterUserDeps, type ClusterUserOutcome } from './cluster-user.ts';
export { removePhoto } from './remove-photo.ts';
export { assignStablePersonIds } from './stable-ids.ts';
export { constraintsFromEdits } from './constraints.ts';
export { cropKeyOf, faceIdOf, newPersonIdOf, sha256Hex } from './keys.ts';
export { encodeCrop, decodeCrop } from './crops.ts';
export { defaultClusterer } from './deps.ts';
export type { PhotoAnalyzer, Clusterer, StoreDeps } from './deps.ts';
