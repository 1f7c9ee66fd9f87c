/**
 * A quick pass of the crash rounds (test/helpers/crash-rounds.ts): a few SIGKILLs of the daemon
 * mid-work, each followed by restic check, a restart and the recovery checks. `make faults`
 * runs many more (test/faults/crash-rounds.test.ts). SEED=<n> replays a run's choices.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { runCrashRounds } from "../helpers/crash-rounds.js";
import { seedFrom } from "../helpers/prng.js";

const ROUNDS = 3;

it(`survives ${ROUNDS} SIGKILLs at random moments of backups, forgets, prunes and config saves`, {
  timeout: ROUNDS * 90_000 + 60_000,
}, async () => {
  const seed = seedFrom(process.env.SEED);
  const log = (line: string) => process.stderr.write(`crash-rounds: ${line}\n`);
  log(`SEED=${seed}`);
  const report = await runCrashRounds({ rounds: ROUNDS, seed, log });
  log(`report ${JSON.stringify(report)}`);
  assert.equal(report.rounds, ROUNDS);
});
