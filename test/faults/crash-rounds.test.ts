/**
 * The long crash run of `make faults`: ROUNDS (default 50) SIGKILLs of the daemon at random
 * moments of backups, forgets, prunes and config saves, each followed by restic check, a
 * restart and the recovery checks of test/helpers/crash-rounds.ts. SEED=<n> replays a run's
 * choices (the moments themselves still depend on timing).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { runCrashRounds } from "../helpers/crash-rounds.js";
import { seedFrom } from "../helpers/prng.js";

const ROUNDS = Number(process.env.ROUNDS ?? 50);

it(`survives ${ROUNDS} SIGKILLs at random moments`, {
  timeout: ROUNDS * 90_000 + 60_000,
}, async () => {
  assert.ok(Number.isInteger(ROUNDS) && ROUNDS > 0, "ROUNDS is a positive integer");
  const seed = seedFrom(process.env.SEED);
  const log = (line: string) => process.stderr.write(`crash-rounds: ${line}\n`);
  log(`SEED=${seed} ROUNDS=${ROUNDS}`);
  const report = await runCrashRounds({ rounds: ROUNDS, seed, log });
  log(`report ${JSON.stringify(report)}`);
  assert.equal(report.rounds, ROUNDS);
  // The run must have exercised what it claims to: kills that caught operations running.
  assert.ok(report.interrupted > 0, "some kills interrupted running operations");
});
