/** Memory of each Lambda function, shared by the CDK stack and `npm run bench:cost` so the cost
 * table prices what is deployed. Right-sized from measurements (docs/scale.md, bench:cost):
 * - detect and embed are CPU-bound single-request work (ONNX Runtime, sharp): 1,769 MB is the
 *   smallest size with one full vCPU, so more memory buys no speed and less only slows them; the
 *   measured peak RSS on 12 MP photos stays well under it.
 * - cluster: users up to the Lambda route's limit (docs/scale.md) need < 1 GB; 1,769 MB for the vCPU.
 *   Larger users run on Fargate (infra/large-users.ts). */
export const FUNCTION_MEMORY_MB = {
  detect: 1769,
  embed: 1769,
  cluster: 1769,
  clusterFanOut: 256,
  api: 512,
} as const;
