export { clusteringMetrics, labelsFromResult, type ClusteringMetrics, type PrecisionRecallF } from './clustering.ts';
export {
  verificationMetrics,
  verificationFromScores,
  type PairScores,
  type VerificationMetrics,
} from './verification.ts';
