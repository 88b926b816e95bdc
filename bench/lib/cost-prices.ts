/** AWS list prices used by `npm run bench:cost` (us-east-1, on-demand, as published in 2025/2026;
 * edit here). Per unit, in dollars. */
export const PRICE = {
  lambdaGbSecondX86: 0.0000166667,
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  ddbWriteUnit: 0.625 / 1e6, // on-demand WRU
  ddbReadUnit: 0.125 / 1e6, // on-demand RRU
  ddbStorageGbMonth: 0.25,
  s3Put: 0.005 / 1000, // PUT, COPY, POST, LIST
  s3Get: 0.0004 / 1000,
  s3StorageGbMonth: 0.023,
  sqsRequest: 0.4 / 1e6, // per 64 KB chunk of a request
  logsIngestGb: 0.5,
  logsStorageGbMonth: 0.03,
  apiGatewayRestRequest: 3.5 / 1e6,
  fargateVcpuHour: 0.04048,
  fargateGbHour: 0.004445,
} as const;

/** Lambda gives one full vCPU at 1,769 MB and CPU in proportion to memory below it. */
export const MB_PER_VCPU = 1769;

/** What Lambda writes per invocation besides the function's own logs (START, END, REPORT lines). */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 350;
