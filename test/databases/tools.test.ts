/**
 * The database tools against a real PostgreSQL and real SQLite files: a load whose input
 * breaks off changes nothing, a dump whose reader goes away stops its tool, and failures say
 * what to fix.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { createDatabaseTools, type DatabaseConnection } from "../../src/databases/index.js";
import { startPostgres } from "../helpers/db-servers.js";
import { tempDir } from "../helpers/temp.js";

const tools = createDatabaseTools({
  env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
});

/** Feeds `data` into a stream, then fails it instead of ending it. */
function breakingInput(data: string): PassThrough {
  const input = new PassThrough();
  input.write(data);
  setTimeout(() => input.destroy(new Error("restic dump failed")), 200);
  return input;
}

describe("database tools", async () => {
  const pg = await startPostgres();
  await pg.createDatabase("src");
  await pg.sql(
    "src",
    "SET ROLE app; CREATE TABLE big (id int PRIMARY KEY, label text); INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 50000) g;",
  );
  const pgConn: DatabaseConnection = {
    kind: "postgresql",
    database: "src",
    host: pg.host,
    port: pg.port,
    user: pg.user,
    password: pg.password,
    dumpFlags: [],
  };
  const dumpText = async (conn: DatabaseConnection) => {
    const dump = tools.dump(conn);
    const sql = await text(dump.stream as NodeJS.ReadableStream & AsyncIterable<Buffer>);
    await dump.done;
    return sql;
  };

  it("PostgreSQL: a load whose input fails before its end commits nothing", async () => {
    const sql = await dumpText(pgConn);
    assert.ok(sql.length > 1_000_000, `dump of ${sql.length} bytes`);
    await pg.createDatabase("partial");
    const target = { ...pgConn, database: "partial" };
    await assert.rejects(
      tools.load(target, breakingInput(sql.slice(0, sql.length - 1000))),
      /the dump's input failed before its end/,
    );
    assert.equal(await tools.countTables(target), 0, "the half-loaded table was rolled back");
    const input = new PassThrough();
    input.end(sql);
    await tools.load(target, input);
    assert.equal(await pg.sql("partial", "SELECT count(*) FROM big"), "50000");
  });

  it("PostgreSQL: a dump whose reader goes away stops pg_dump", async () => {
    const logs: string[] = [];
    const dump = tools.dump(pgConn, { onLog: (l) => logs.push(l) });
    const stream = dump.stream as PassThrough;
    await new Promise((resolve) => stream.once("readable", resolve));
    stream.destroy();
    await assert.rejects(dump.done, { name: "DumpClosedError" });
    assert.ok(
      logs.some((l) => /pg_dump (was killed by SIG|exited with code [1-9])/.test(l)),
      logs.join("\n"),
    );
  });

  it("PostgreSQL: an unknown target database is named, with what to do", async () => {
    await assert.rejects(tools.countTables({ ...pgConn, database: "nope" }), (e: unknown) => {
      assert.ok(e instanceof Error && e.name === "DatabaseToolError");
      assert.match(e.message, /database "nope" does not exist; check the database name/);
      return true;
    });
  });

  it("SQLite: a load whose input fails leaves the target as it was and no staging file", async () => {
    const dir = tempDir();
    const source = join(dir, "source.db");
    const db = new Database(source);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)");
    const insert = db.prepare("INSERT INTO t VALUES (?, ?)");
    for (let i = 0; i < 2000; i++) insert.run(i, Buffer.alloc(500, i % 256));
    db.close();
    const sqliteConn: DatabaseConnection = { ...pgConn, kind: "sqlite", database: source };
    const sql = await dumpText(sqliteConn);
    const target = join(dir, "target.db");
    const targetConn = { ...sqliteConn, database: target };
    await assert.rejects(tools.load(targetConn, breakingInput(sql.slice(0, 100_000))));
    assert.equal(existsSync(target), false, "no target was created");
    assert.deepEqual(readdirSync(dir).sort(), ["source.db"]);
    const input = new PassThrough();
    input.end(sql);
    await tools.load(targetConn, input);
    assert.equal(await tools.countTables(targetConn), 1);
    assert.deepEqual(readdirSync(dir).sort(), ["source.db", "target.db"]);
  });
});
