/** Memory of each Lambda function, shared by the CDK stack and `npm run bench:cost` so the cost
 * table prices what is deployed. Right-sized from measurements (docs/benchmarks.md, bench:cost):
 * - detect (which embeds in the same invocation) and embed are CPU-bound single-request work (ONNX
 *   Runtime, sharp). Lambda gives CPU in proportion to memory up to one vCPU at 1,769 MB, and bills
 *   GB-seconds: CPU work costs the same at any size up to 1,769 MB (half the memory, half the CPU,
 *   twice the seconds), while the time spent waiting on S3 and DynamoDB costs in proportion to the
 *   memory. So the smallest size that holds the work with room to spare is the cheapest: measured
 *   peak RSS is ~270 MB for a 48 MP photo through the analyzer and ~400 MB for the whole handler
 *   process on 12 MP photos; 1,024 MB keeps 2.5x headroom. A 12 MP photo then takes ~0.8 s
 *   instead of ~0.45 s (well within the 120 s timeout for a batch of 5).
 * - cluster: users up to the Lambda route's limit (docs/scale.md) need < 1 GB; 1,769 MB for the vCPU.
 *   Larger users run on Fargate (infra/large-users.ts). */
export const FUNCTION_MEMORY_MB = {
  detect: 1024,
  embed: 1024,
  cluster: 1769,
  clusterFanOut: 256,
  api: 512,
} as const;

/** ONNX Runtime intra-op threads in the detect and embed functions (RANKFACE_THREADS). At 1,024 MB a
 * function has ~0.58 of a vCPU: a second thread cannot run in parallel and only adds hand-over
 * work (measured CPU time per photo in docs/benchmarks.md). */
export const ML_FUNCTION_THREADS = 1;
