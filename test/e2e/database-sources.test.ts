/**
 * Database sources end to end, through the real daemon, restic and database servers: a plan's
 * PostgreSQL, MariaDB and SQLite databases are dumped straight into snapshots of their own,
 * restored into new databases with the same contents, refused over a non-empty target unless
 * replaced, kept apart by retention, and their passwords never show anywhere.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { startDaemon } from "../../src/daemon.js";
import { createLogger } from "../../src/log.js";
import { writeConfig } from "../helpers/daemon.js";
import { initRepo, listSnapshots, makeSourceTree, TEST_PASSWORD } from "../helpers/data.js";
import { startMariaDb, startPostgres, writeTempFile } from "../helpers/db-servers.js";
import { callJson, type OpJson, waitFor, waitForOperation } from "../helpers/http.js";
import { tempDir } from "../helpers/temp.js";

const WRONG_PASSWORD = "wrong-Pa55-9f3k";

/** Reads an operation's log (GetLogs, a Connect server stream) into text. */
async function readLog(url: string, ref: string): Promise<string> {
  const body = Buffer.from(JSON.stringify({ ref }));
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), body]);
  frame.writeUInt32BE(body.length, 1);
  const res = await fetch(`${url}/v1.Backrest/GetLogs`, {
    method: "POST",
    headers: { "content-type": "application/connect+json" },
    body: frame,
  });
  const data = Buffer.from(await res.arrayBuffer());
  let text = "";
  for (let i = 0; i + 5 <= data.length; ) {
    const len = data.readUInt32BE(i + 1);
    const msg = JSON.parse(data.subarray(i + 5, i + 5 + len).toString()) as { value?: string };
    if (!((data[i] as number) & 2)) text += Buffer.from(msg.value ?? "", "base64").toString();
    i += 5 + len;
  }
  return text;
}

const PG_SETUP = `
SET ROLE app;
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, data bytea, price numeric(10, 2));
INSERT INTO items VALUES
  (1, 'Grüße, 世界 ✓', '\\x00ff10fe'::bytea, 12.50),
  (2, 'plain', NULL, NULL),
  (3, E'tab\\there ''quoted'' \\\\ backslash', decode(repeat('00ab', 2000), 'hex'), 0);
CREATE TABLE big (id int PRIMARY KEY, label text);
INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
CREATE VIEW named AS SELECT id, name FROM items;
`;
const PG_ROWS = "SELECT id, name, data, price FROM items ORDER BY id";

const MY_SETUP = `
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, data blob, price decimal(10, 2))
  CHARACTER SET utf8mb4;
INSERT INTO items VALUES
  (1, 'Grüße, 世界 ✓ 😀', X'00FF10FE', 12.50),
  (2, 'plain', NULL, NULL),
  (3, 'tab\\there ''quoted'' \\\\ backslash', UNHEX(REPEAT('00AB', 2000)), 0);
CREATE TABLE big (id int PRIMARY KEY, label varchar(64));
INSERT INTO big SELECT seq, MD5(seq) FROM seq_1_to_20000;
`;
const MY_ROWS = "SELECT id, name, HEX(data), price FROM items ORDER BY id";

/** The rows of a SQLite table, in id order. */
function sqliteRows(path: string, table: string): unknown[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY id`).all();
  } finally {
    db.close();
  }
}

function makeSqlite(path: string): void {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec(
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, attachment BLOB, score REAL)",
  );
  const insert = db.prepare("INSERT INTO notes VALUES (?, ?, ?, ?)");
  insert.run(1, "Grüße, 世界 ✓ 😀", Buffer.from([0, 255, 16, 254]), 1.5);
  insert.run(2, "line\nbreak 'quote'", null, null);
  insert.run(3, "big", Buffer.alloc(100_000, 0xab), -2);
  db.close();
}

const lines = (text: string) => text.split("\n").filter(Boolean);

describe("database sources", async () => {
  // Set up in the suite's body: temp folders and servers are removed when the file ends.
  const [pg, my] = await Promise.all([startPostgres(), startMariaDb()]);
  await pg.createDatabase("appdb");
  await pg.sql("appdb", PG_SETUP);
  await my.createDatabase("shop");
  await my.sql("shop", MY_SETUP);
  const dir = tempDir();
  const sqlitePath = join(dir, "notes.db");
  makeSqlite(sqlitePath);
  const brokenPath = join(dir, "broken.db");
  writeFileSync(brokenPath, Buffer.alloc(8192, 7));
  const repoPath = join(dir, "repo");
  await initRepo(repoPath);
  const sourceDir = makeSourceTree(join(dir, "src"), { files: 3 });
  const pgSource = {
    kind: "KIND_POSTGRESQL",
    database: "appdb",
    host: pg.host,
    port: pg.port,
    user: pg.user,
  };
  const config = {
    version: 4,
    instance: "test-host",
    repos: [
      { id: "local", uri: repoPath, password: TEST_PASSWORD },
      // Its guid is known, so restic first runs for the backup itself (and fails there).
      {
        id: "wrongpw",
        uri: repoPath,
        password: "not the repository's password",
        guid: "0000000000000000000000000000000000000000000000000000000000000000",
      },
    ],
    plans: [
      { id: "pg", repo: "local", databases: [{ ...pgSource, name: "app", password: pg.password }] },
      {
        id: "my",
        repo: "local",
        databases: [
          {
            name: "shop",
            kind: "KIND_MYSQL",
            database: "shop",
            host: my.host,
            port: my.port,
            user: my.user,
            passwordFile: writeTempFile("mysql-password", `${my.password}\n`),
            filename: "shop-dump.sql",
          },
        ],
      },
      {
        id: "lite",
        repo: "local",
        databases: [{ name: "notes", kind: "KIND_SQLITE", database: sqlitePath }],
      },
      {
        id: "mixed",
        repo: "local",
        paths: [sourceDir],
        databases: [{ name: "notes", kind: "KIND_SQLITE", database: sqlitePath }],
        retention: { policyKeepLastN: 1 },
      },
      {
        id: "badpw",
        repo: "local",
        databases: [{ ...pgSource, name: "app", password: WRONG_PASSWORD }],
      },
      {
        id: "broken",
        repo: "local",
        databases: [{ name: "junk", kind: "KIND_SQLITE", database: brokenPath }],
      },
      {
        id: "halfbad",
        repo: "local",
        paths: [sourceDir],
        databases: [{ name: "junk", kind: "KIND_SQLITE", database: brokenPath }],
      },
      {
        // restic fails on its own (it cannot open the repository) while pg_dump still writes.
        id: "badrepo",
        repo: "wrongpw",
        databases: [{ ...pgSource, name: "app", password: pg.password }],
      },
    ],
    auth: { disabled: true },
  };
  const paths = writeConfig(config, tempDir());
  const daemonLog: string[] = [];
  const daemon = await startDaemon({
    configPath: paths.configPath,
    dataDir: paths.dataDir,
    bindAddress: "127.0.0.1:0",
    resticCommand: "restic",
    resticEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
    log: createLogger("debug", (line) => daemonLog.push(line)),
  });
  after(() => daemon.stop());
  const url = daemon.url;
  const call = (method: string, body: unknown) => callJson(url, `v1.Backrest/${method}`, body);

  /** Backs up a plan with the Backup RPC; returns the finished operation. */
  async function backup(planId: string): Promise<OpJson> {
    const r = await call("Backup", { value: planId });
    assert.equal(r.status, 200, r.text);
    return r.body as OpJson;
  }

  /** The plan's snapshot of database source `name`, checked against the backup's operation. */
  async function checkSnapshot(op: OpJson, planId: string, name: string, filename: string) {
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    const backupPayload = op.operationBackup as { stdinSource?: unknown };
    assert.deepEqual(backupPayload.stdinSource, {
      kind: "KIND_DATABASE",
      filename,
      databaseName: name,
    });
    const snaps = await listSnapshots(repoPath);
    const snap = snaps.find((s) => op.snapshotId && s.id.startsWith(op.snapshotId));
    assert.ok(snap, `snapshot ${op.snapshotId} is in the repository`);
    assert.deepEqual(snap.paths, [`/${filename}`]);
    assert.ok(snap.tags?.includes(`restwell:source:db:${name}`), String(snap.tags));
    assert.ok(snap.tags?.includes(`plan:${planId}`), String(snap.tags));
    return snap.id;
  }

  /** Starts RestoreDatabase and waits for its operation. */
  async function restore(body: Record<string, unknown>): Promise<OpJson> {
    const r = await call("RestoreDatabase", { repoId: "local", ...body });
    assert.equal(r.status, 200, r.text);
    const id = (r.body as { operationId: string }).operationId;
    return waitForOperation(url, id);
  }

  function checkRestoreOp(op: OpJson, target: string, kind: string, filename: string) {
    assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
    const p = op.operationRestoreDatabase as Record<string, string>;
    assert.equal(p.target, target);
    assert.equal(p.kind, kind);
    assert.equal(p.filename, filename);
    assert.ok(Number(p.bytesTotal) > 100_000, `dump size ${p.bytesTotal}`);
    assert.equal(p.bytesDone, p.bytesTotal, "every byte of the dump was loaded");
  }

  it("PostgreSQL: a dump in its own snapshot restores into a new database row for row", async () => {
    const op = await backup("pg");
    const snapshotId = await checkSnapshot(op, "pg", "app", "app.sql");
    await pg.createDatabase("restored");
    const restored = await restore({
      snapshotId,
      planId: "pg",
      databaseName: "app",
      targetDatabase: "restored",
    });
    checkRestoreOp(restored, "restored", "KIND_POSTGRESQL", "app.sql");
    const original = lines(await pg.sql("appdb", PG_ROWS));
    assert.equal(original.length, 3);
    assert.ok(original[0]?.includes("Grüße, 世界 ✓") && original[0].includes("\\x00ff10fe"));
    assert.deepEqual(lines(await pg.sql("restored", PG_ROWS)), original);
    const big = "SELECT count(*), md5(string_agg(label, ',' ORDER BY id)) FROM big";
    assert.deepEqual(await pg.sql("restored", big), await pg.sql("appdb", big));
    assert.equal(await pg.sql("restored", "SELECT count(*) FROM named"), "3");
  });

  it("PostgreSQL: restoring over the non-empty original is refused, and with replace succeeds", async () => {
    const [snap] = (await listSnapshots(repoPath)).filter((s) =>
      s.tags?.includes("restwell:source:db:app"),
    );
    assert.ok(snap);
    const refused = await call("RestoreDatabase", {
      repoId: "local",
      snapshotId: snap.id,
      planId: "pg",
      databaseName: "app",
    });
    assert.equal((refused.body as { code?: string }).code, "failed_precondition", refused.text);
    assert.match(refused.text, /already holds 3 tables or views; .*set replace/);
    // Changes after the backup are undone by a replacing restore.
    await pg.sql("appdb", "DELETE FROM items WHERE id = 2; UPDATE items SET name = 'changed'");
    const op = await restore({
      snapshotId: snap.id,
      planId: "pg",
      databaseName: "app",
      replace: true,
    });
    checkRestoreOp(op, "appdb", "KIND_POSTGRESQL", "app.sql");
    assert.deepEqual(
      lines(await pg.sql("appdb", PG_ROWS)),
      lines(await pg.sql("restored", PG_ROWS)),
    );
  });

  it("MariaDB: a dump (password from a file) restores into a new database row for row", async () => {
    const op = await backup("my");
    const snapshotId = await checkSnapshot(op, "my", "shop", "shop-dump.sql");
    await my.createDatabase("restored");
    const restored = await restore({
      snapshotId: snapshotId.slice(0, 12),
      planId: "my",
      databaseName: "shop",
      targetDatabase: "restored",
    });
    checkRestoreOp(restored, "restored", "KIND_MYSQL", "shop-dump.sql");
    const original = lines(await my.sql("shop", MY_ROWS));
    assert.equal(original.length, 3);
    assert.ok(original[0]?.includes("Grüße, 世界 ✓ 😀") && original[0].includes("00FF10FE"));
    assert.deepEqual(lines(await my.sql("restored", MY_ROWS)), original);
    const big = "SELECT COUNT(*), MD5(GROUP_CONCAT(label ORDER BY id SEPARATOR ',')) FROM big";
    await my.sql("", "SET GLOBAL group_concat_max_len = 4194304");
    assert.deepEqual(await my.sql("restored", big), await my.sql("shop", big));

    const refused = await call("RestoreDatabase", {
      repoId: "local",
      snapshotId,
      planId: "my",
      databaseName: "shop",
    });
    assert.equal((refused.body as { code?: string }).code, "failed_precondition", refused.text);
    await my.sql("shop", "UPDATE items SET name = 'changed'");
    const replaced = await restore({
      snapshotId,
      planId: "my",
      databaseName: "shop",
      replace: true,
    });
    checkRestoreOp(replaced, "shop", "KIND_MYSQL", "shop-dump.sql");
    assert.deepEqual(lines(await my.sql("shop", MY_ROWS)), original);
  });

  it("SQLite: a consistent dump restores into a new file, and replaces the original only when asked", async () => {
    const op = await backup("lite");
    const snapshotId = await checkSnapshot(op, "lite", "notes", "notes.sql");
    const target = join(tempDir(), "restored.db");
    const restored = await restore({
      snapshotId,
      planId: "lite",
      databaseName: "notes",
      targetDatabase: target,
    });
    checkRestoreOp(restored, target, "KIND_SQLITE", "notes.sql");
    const original = sqliteRows(sqlitePath, "notes");
    assert.equal(original.length, 3);
    assert.deepEqual(
      (original[0] as { attachment: Buffer }).attachment,
      Buffer.from([0, 255, 16, 254]),
    );
    assert.deepEqual(sqliteRows(target, "notes"), original);

    const refused = await call("RestoreDatabase", {
      repoId: "local",
      snapshotId,
      planId: "lite",
      databaseName: "notes",
    });
    assert.equal((refused.body as { code?: string }).code, "failed_precondition", refused.text);
    const db = new Database(sqlitePath);
    db.exec("DELETE FROM notes WHERE id = 3; CREATE TABLE extra (id INTEGER PRIMARY KEY)");
    db.close();
    const replaced = await restore({
      snapshotId,
      planId: "lite",
      databaseName: "notes",
      replace: true,
    });
    checkRestoreOp(replaced, sqlitePath, "KIND_SQLITE", "notes.sql");
    assert.deepEqual(sqliteRows(sqlitePath, "notes"), original);
  });

  it("a wrong database password fails the backup with the server's reason and makes no snapshot", async () => {
    const r = await call("Backup", { value: "badpw" });
    assert.notEqual(r.status, 200, r.text);
    const message = (r.body as { message?: string }).message ?? "";
    assert.match(message, /password authentication failed for user "app"/);
    assert.match(message, /check the database source's user and password/);
    const ops = (await call("GetOperations", { selector: { planId: "badpw" } })).body as {
      operations: OpJson[];
    };
    assert.equal(ops.operations.length, 1);
    assert.equal(ops.operations[0]?.status, "STATUS_ERROR");
    assert.equal(ops.operations[0]?.snapshotId, undefined);
    const snaps = await listSnapshots(repoPath);
    assert.equal(snaps.filter((s) => s.tags?.includes("plan:badpw")).length, 0);
    const log = await readLog(url, ops.operations[0]?.logref ?? "");
    assert.match(log, /pg_dump: error: .*password authentication failed/);
  });

  it("a dump that ends in errors (a damaged SQLite file) fails the backup and makes no snapshot", async () => {
    const r = await call("Backup", { value: "broken" });
    assert.notEqual(r.status, 200, r.text);
    assert.match(
      (r.body as { message?: string }).message ?? "",
      /is incomplete: sqlite3 hit errors/,
    );
    const snaps = await listSnapshots(repoPath);
    assert.equal(snaps.filter((s) => s.tags?.includes("plan:broken")).length, 0);
  });

  it("Backup waits for every source and fails when one does, though the others made snapshots", async () => {
    const r = await call("Backup", { value: "halfbad" });
    assert.notEqual(r.status, 200, r.text);
    assert.match((r.body as { message?: string }).message ?? "", /is incomplete: sqlite3/);
    const ops = (
      (await call("GetOperations", { selector: { planId: "halfbad" } })).body as {
        operations: OpJson[];
      }
    ).operations.filter((o) => o.operationBackup);
    assert.deepEqual(
      ops.map((o) => o.status),
      ["STATUS_SUCCESS", "STATUS_ERROR"],
      "the paths' backup, then the database's, both finished when Backup answered",
    );
    assert.equal(ops[0]?.flowId, ops[1]?.flowId);
    const snaps = (await listSnapshots(repoPath)).filter((s) => s.tags?.includes("plan:halfbad"));
    assert.equal(snaps.length, 1);
    assert.ok(!snaps[0]?.tags?.some((t) => t.startsWith("restwell:source:")));
  });

  it("when restic fails on its own, its error is reported and the dump is stopped", {
    timeout: 120_000,
  }, async () => {
    const r = await call("Backup", { value: "badrepo" });
    assert.notEqual(r.status, 200, r.text);
    assert.match((r.body as { message?: string }).message ?? "", /password/i);
    assert.doesNotMatch(r.text, /pg_dump|dump's reader/);
    const [op] = (
      (await call("GetOperations", { selector: { planId: "badrepo" } })).body as {
        operations: OpJson[];
      }
    ).operations;
    assert.equal(op?.status, "STATUS_ERROR");
    // pg_dump was started, and stopped once restic had gone (it did not run to its end).
    const log = await readLog(url, op?.logref ?? "");
    assert.match(log, /running \/usr\/bin\/pg_dump/);
    assert.match(log, /pg_dump (was killed by SIG(INT|KILL)|exited with code)/);
  });

  it("a plan with paths and a database makes a snapshot of each; keep-last 1 keeps one of each", async () => {
    for (let i = 0; i < 2; i++) {
      const op = await backup("mixed");
      assert.equal(op.status, "STATUS_SUCCESS", op.displayMessage);
      assert.equal((op.operationBackup as { stdinSource?: unknown }).stdinSource, undefined);
      // Both backups ran before Backup answered; retention follows them in the same flow.
      const flow = await waitFor(
        async () => {
          const res = await call("GetOperations", { selector: { flowId: op.flowId } });
          const ops = (res.body as { operations: OpJson[] }).operations;
          const forget = ops.find((o) => o.operationForget);
          return forget && !/PENDING|INPROGRESS/.test(forget.status) ? ops : undefined;
        },
        60_000,
        "the forget in the backup's flow",
      );
      const backups = flow.filter((o) => o.operationBackup);
      assert.equal(backups.length, 2, "one backup operation per source, in one flow");
      assert.ok(backups.every((o) => o.status === "STATUS_SUCCESS"));
      assert.equal(flow.find((o) => o.operationForget)?.status, "STATUS_SUCCESS");
    }
    const kept = (await listSnapshots(repoPath)).filter((s) => s.tags?.includes("plan:mixed"));
    assert.equal(kept.length, 2, "keep-last 1 kept one snapshot of each source");
    const dbSnaps = kept.filter((s) => s.tags?.includes("restwell:source:db:notes"));
    assert.equal(dbSnaps.length, 1);
    assert.deepEqual(dbSnaps[0]?.paths, ["/notes.sql"]);
    const preview = await call("PreviewRetention", { planId: "mixed" });
    const decisions = (preview.body as { snapshots: { keep?: boolean }[] }).snapshots;
    assert.equal(decisions.length, 2);
    assert.ok(
      decisions.every((d) => d.keep),
      "the preview keeps one of each source too",
    );
  });

  it("a database password is nowhere: config, operations, operation logs, daemon log", async () => {
    const config = await call("GetConfig", {});
    assert.equal(config.status, 200);
    const ops = await call("GetOperations", { selector: {} });
    const logs: string[] = [];
    for (const op of (ops.body as { operations: OpJson[] }).operations) {
      if (op.logref) logs.push(await readLog(url, op.logref));
    }
    assert.ok(
      logs.some((l) => l.includes("running /usr/bin/pg_dump")),
      "the op logs show the commands run",
    );
    const everything = [config.text, ops.text, ...logs, ...daemonLog].join("\n");
    for (const secret of [pg.password, my.password, WRONG_PASSWORD]) {
      assert.ok(!everything.includes(secret), "a database password leaked");
    }
    const plans = (config.body as { plans: { id: string; databases?: { password?: string }[] }[] })
      .plans;
    assert.equal(plans.find((p) => p.id === "pg")?.databases?.[0]?.password, "<redacted>");
  });
});
