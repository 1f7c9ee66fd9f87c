/**
 * The daemon the API fuzz tests attack: in this process, authentication on with one admin,
 * rate limits off, one local repo with a snapshot and one plan, all under a scratch folder.
 * The process's working directory is moved ten levels deep into the scratch folder, so relative
 * paths in payloads (and restic's relative repository paths) resolve inside it.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import Database from "better-sqlite3";
import { hashPassword } from "../../src/auth/password.js";
import { startTestDaemon, type TestDaemon } from "./daemon.js";
import { initRepo, makeSourceTree, TEST_PASSWORD } from "./data.js";
import { callJson, type OpJson } from "./http.js";
import type { HostileTargets } from "./proto-arbitraries.js";
import type { Outcome } from "./rpc-wire.js";
import { tempDir } from "./temp.js";

export const ADMIN = { user: "admin", password: "fuzz admin password" };
export const ADMIN_AUTH = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString("base64")}`;

export interface FuzzFixture {
  daemon: TestDaemon;
  scratch: string;
  /** A path shell payloads try to create. */
  sentinel: string;
  repoPath: string;
  snapshotId: string;
  backupOpId: string;
  /** Entries of the project folder (the working directory before the move), to compare at the end. */
  projectDir: string;
  projectEntries: string[];
  /** The config file and the operation log's row count and modno, now. */
  state(): DaemonState;
  /** Waits until no operation is pending or running and the state stopped changing. */
  settle(): Promise<void>;
}

export interface DaemonState {
  config: string;
  operations: number;
  modno: bigint;
}

/** Starts the fixture; everything is removed (and the working directory restored) at the end. */
export async function startFuzzFixture(): Promise<FuzzFixture> {
  const scratch = tempDir("restwell-fuzz-");
  const sentinel = join(scratch, "SENTINEL-created-by-a-shell");
  const projectDir = process.cwd();
  const projectEntries = readdirSync(projectDir).sort();
  const deep = join(scratch, ...Array.from({ length: 10 }, () => "cwd"));
  mkdirSync(deep, { recursive: true });
  process.chdir(deep);
  after(() => process.chdir(projectDir));

  const repoPath = join(scratch, "repo");
  await initRepo(repoPath);
  const source = makeSourceTree(join(scratch, "source"), { files: 12 });
  const daemon = await startTestDaemon(
    {
      instance: "fuzz",
      repos: [{ id: "local", uri: repoPath, password: TEST_PASSWORD }],
      plans: [{ id: "plan1", repo: "local", paths: [source] }],
      auth: { users: [{ name: ADMIN.user, passwordBcrypt: await hashPassword(ADMIN.password) }] },
      settings: { rateLimitPerMinute: -1, authFailuresPerMinute: 1_000_000 },
    },
    { keepAliveMs: 200 },
  );
  const backup = await callJson(daemon.url, "v1.Backrest/Backup", { value: "plan1" }, ADMIN);
  assert.equal(backup.status, 200, backup.text);
  const op = backup.body as OpJson;
  assert.ok(op.snapshotId, "the fixture's backup made a snapshot");

  const db = new Database(join(daemon.dataDir, "oplog.sqlite"), { readonly: true });
  db.defaultSafeIntegers(true);
  after(() => db.close());
  const count = db.prepare("SELECT COUNT(*) FROM operations").pluck();
  const unfinished = db.prepare("SELECT COUNT(*) FROM operations WHERE status IN (1, 2)").pluck();
  const modno = db.prepare("SELECT value FROM meta WHERE key = 'modno'").pluck();
  const state = (): DaemonState => ({
    config: readFileSync(daemon.configPath, "utf8"),
    operations: Number(count.get() as bigint),
    modno: modno.get() as bigint,
  });
  const fixture: FuzzFixture = {
    daemon,
    scratch,
    sentinel,
    repoPath,
    snapshotId: op.snapshotId,
    backupOpId: op.id,
    projectDir,
    projectEntries,
    state,
    async settle() {
      // Follow-ups (snapshot indexing) start after an operation ends: wait for 2 s of calm.
      let last = "";
      let calm = 0;
      for (let i = 0; i < 600; i++) {
        const now = state();
        const key = `${now.operations}/${now.modno}/${now.config}`;
        calm = (unfinished.get() as bigint) === 0n && key === last ? calm + 1 : 0;
        if (calm >= 10) return;
        last = key;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error("the daemon did not settle within 2 minutes");
    },
  };
  // The backup's snapshot gets indexed after it ends; wait for that before anything compares.
  // (restic 0.14 reports a backup's short snapshot id; the index holds the full one.)
  const indexOp = db
    .prepare("SELECT snapshot_id FROM operations WHERE snapshot_id LIKE ? AND id != ?")
    .pluck();
  for (let i = 0; i < 600; i++) {
    const full = indexOp.get(`${op.snapshotId}%`, BigInt(op.id)) as string | undefined;
    if (full) {
      fixture.snapshotId = full;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await fixture.settle();
  return fixture;
}

/** Hostile values pointing into the fixture's scratch folder. */
export function targetsOf(fx: FuzzFixture, opts: { readOnly: boolean }): HostileTargets {
  return {
    sentinel: fx.sentinel,
    scratchDir: fx.scratch,
    // Known ids only where they cannot start work: requests that change state get none.
    knownIds: opts.readOnly ? ["local", "plan1", fx.snapshotId, fx.snapshotId.slice(0, 8)] : [],
    systemPaths: opts.readOnly,
  };
}

/**
 * 5xx answers the daemon gives on purpose, by code:
 * - unavailable (503): the daemon is shutting down, an operation ran into its time limit, or
 *   key management is missing: retry later;
 * - unknown (500): restic failed in a way the daemon has no code for (the message is restic's).
 * Everything else at 500 and above, "internal" above all, is a fault.
 */
export const DELIBERATE_5XX = new Set(["unavailable", "unknown"]);

/**
 * connect-es answers a binary request message it cannot decode with INTERNAL ("parse binary:
 * ..."), before any of the daemon's code runs, as gRPC servers conventionally do (grpc-go:
 * "error unmarshalling request"). Over gRPC, gRPC-Web and Connect streams that code travels
 * inside an HTTP 200 answer and is let pass there. Connect unary calls, where it would be an
 * HTTP 500, go through the daemon's own path (src/server/unary-path.ts), which answers
 * INVALID_ARGUMENT (400): a 500 there is a fault.
 */
const LIBRARY_PARSE_ERROR = /^parse binary: /;

/** Why an outcome shows the server misbehaving, or undefined when it is an answer. */
export function serverFault(o: Outcome): string | undefined {
  if (o.code === "internal" && o.httpStatus < 500 && LIBRARY_PARSE_ERROR.test(o.message))
    return undefined;
  if (o.code === "internal" || o.code === "data_loss" || o.code === "unimplemented")
    return `${o.code}: ${o.message}`;
  if (o.code === "timeout") return "no answer in time";
  if (o.code === "transport") return `the connection failed: ${o.message}`;
  if (o.code.startsWith("reset-") || o.code.startsWith("no-") || o.code === "none")
    return `a malformed answer (${o.code}, HTTP ${o.httpStatus}): ${o.message}`;
  if (o.httpStatus >= 500 && !DELIBERATE_5XX.has(o.code)) return `HTTP ${o.httpStatus} (${o.code})`;
  return undefined;
}
