/**
 * A quick pass of the API fuzzer (test/helpers/api-fuzz.ts) over every RPC and protocol:
 * about 700 requests. `make faults` runs a longer one (test/faults/api-fuzz.test.ts).
 */
import { defineApiFuzz } from "../helpers/api-fuzz.js";

defineApiFuzz({
  readOnlyRuns: 250,
  concurrentRequests: 160,
  mutatingRuns: 250,
  invalidConfigRuns: 40,
  rssGrowthLimitMiB: 400,
});
