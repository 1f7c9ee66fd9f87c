/**
 * The long API fuzz of `make faults` (test/helpers/api-fuzz.ts): FUZZ_SCALE times (default 1)
 * about 3,000 requests over every RPC and protocol.
 */
import { defineApiFuzz } from "../helpers/api-fuzz.js";

const scale = Number(process.env.FUZZ_SCALE ?? 1);
if (!(scale > 0))
  throw new Error(`FUZZ_SCALE must be a positive number, got ${process.env.FUZZ_SCALE}`);

defineApiFuzz({
  readOnlyRuns: Math.round(1_200 * scale),
  concurrentRequests: Math.round(640 * scale),
  mutatingRuns: Math.round(1_000 * scale),
  invalidConfigRuns: Math.round(200 * scale),
  rssGrowthLimitMiB: 512,
});
