/** The database tools' command lines: secrets only in the environment, never on argv. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseToolEnv, dumpInvocation, loadInvocation } from "../../src/databases/commands.js";
import { createDatabaseTools } from "../../src/databases/index.js";
import type { DatabaseConnection } from "../../src/databases/types.js";

const PASSWORD = "s3cret pass'\"$word";

function conn(kind: DatabaseConnection["kind"], more: Partial<DatabaseConnection> = {}) {
  return {
    kind,
    database: kind === "sqlite" ? "/srv/app/app.db" : "app",
    host: kind === "sqlite" ? "" : "db.local",
    port: kind === "sqlite" ? 0 : 5433,
    user: kind === "sqlite" ? "" : "backup",
    password: kind === "sqlite" ? "" : PASSWORD,
    dumpFlags: [],
    ...more,
  } satisfies DatabaseConnection;
}

describe("database tool command lines", () => {
  it("PostgreSQL: pg_dump and psql get the connection and password by environment only", () => {
    const dump = dumpInvocation(conn("postgresql", { dumpFlags: ["--no-owner"] }));
    assert.deepEqual(dump.programs, ["pg_dump"]);
    assert.equal(dump.debianPackage, "postgresql-client");
    assert.deepEqual(dump.args, [
      "--format=plain",
      "--clean",
      "--if-exists",
      "--no-password",
      "--no-owner",
    ]);
    assert.deepEqual(dump.env, {
      PGDATABASE: "app",
      PGHOST: "db.local",
      PGPORT: "5433",
      PGUSER: "backup",
      PGPASSWORD: PASSWORD,
      PGCONNECT_TIMEOUT: "30",
      PGAPPNAME: "restwell",
    });
    assert.deepEqual(dump.secrets, [PASSWORD]);
    const load = loadInvocation(conn("postgresql", { database: "restored" }));
    assert.deepEqual(load.programs, ["psql"]);
    assert.ok(load.args.includes("--single-transaction"));
    assert.ok(load.args.includes("--set=ON_ERROR_STOP=1"));
    assert.equal(load.env.PGDATABASE, "restored");
    assert.equal(load.env.PGPASSWORD, PASSWORD);
  });

  it("PostgreSQL: a database name that looks like a connection string is never on argv", () => {
    const name = "host=evil.example dbname=x";
    const dump = dumpInvocation(conn("postgresql", { database: name }));
    assert.equal(dump.env.PGDATABASE, name);
    assert.ok(dump.args.every((a) => !a.includes("evil")));
  });

  it("PostgreSQL: unset settings are left to the client's defaults", () => {
    const dump = dumpInvocation(conn("postgresql", { host: "", port: 0, user: "", password: "" }));
    assert.deepEqual(Object.keys(dump.env).sort(), [
      "PGAPPNAME",
      "PGCONNECT_TIMEOUT",
      "PGDATABASE",
    ]);
    assert.deepEqual(dump.secrets, []);
  });

  it("MySQL: mariadb-dump (or mysqldump) with no option files, MYSQL_PWD, and -- before the name", () => {
    const dump = dumpInvocation(conn("mysql", { database: "-shop" }));
    assert.deepEqual(dump.programs, ["mariadb-dump", "mysqldump"]);
    assert.equal(dump.debianPackage, "mariadb-client");
    assert.equal(dump.args[0], "--no-defaults");
    assert.deepEqual(dump.args.slice(1, 4), ["--host=db.local", "--port=5433", "--user=backup"]);
    for (const flag of ["--single-transaction", "--routines", "--triggers", "--hex-blob"])
      assert.ok(dump.args.includes(flag), flag);
    assert.ok(!dump.args.some((a) => a.startsWith("--databases")), "the dump names no database");
    assert.deepEqual(dump.args.slice(-2), ["--", "-shop"]);
    assert.deepEqual(dump.env, { MYSQL_PWD: PASSWORD });
    const load = loadInvocation(conn("mysql", { host: "/run/mysqld/mysqld.sock", port: 0 }));
    assert.deepEqual(load.programs, ["mariadb", "mysql"]);
    assert.ok(load.args.includes("--socket=/run/mysqld/mysqld.sock"));
    assert.ok(!load.args.some((a) => a.startsWith("--host") || a.startsWith("--port")));
    assert.deepEqual(load.args.slice(-2), ["--", "app"]);
  });

  it("SQLite: the sqlite3 shell dumps read-only and loads in safe mode, without the user's rc file", () => {
    const dump = dumpInvocation(conn("sqlite"));
    assert.deepEqual(dump.programs, ["sqlite3"]);
    assert.deepEqual(dump.args, [
      "-init",
      "/dev/null",
      "-readonly",
      "-bail",
      "/srv/app/app.db",
      ".dump",
    ]);
    const load = loadInvocation(conn("sqlite"), "/srv/app/app.db.staging");
    assert.deepEqual(load.args, [
      "-init",
      "/dev/null",
      "-bail",
      "-safe",
      "/srv/app/app.db.staging",
    ]);
  });

  it("no password ever reaches argv", () => {
    for (const kind of ["postgresql", "mysql"] as const) {
      for (const inv of [dumpInvocation(conn(kind)), loadInvocation(conn(kind))]) {
        assert.ok(
          inv.args.every((a) => !a.includes(PASSWORD) && !a.includes("s3cret")),
          `${kind} ${inv.programs[0]}`,
        );
      }
    }
  });

  it("the tools inherit only PATH, HOME, TMPDIR, TZ and LANG, with messages in English", () => {
    const env = baseToolEnv({
      PATH: "/usr/bin",
      HOME: "/home/r",
      LANG: "de_DE.UTF-8",
      LC_ALL: "de_DE.UTF-8",
      PGPASSWORD: "daemon-wide",
      MYSQL_PWD: "daemon-wide",
      RESTIC_PASSWORD: "repo",
    });
    assert.deepEqual(env, {
      PATH: "/usr/bin",
      HOME: "/home/r",
      LANG: "de_DE.UTF-8",
      LC_MESSAGES: "C",
    });
    assert.equal(baseToolEnv({}).PATH, "/usr/local/bin:/usr/bin:/bin");
  });

  it("a missing tool is named with the Debian package that provides it", async () => {
    const tools = createDatabaseTools({ env: { PATH: "/nonexistent" } });
    assert.throws(
      () => tools.requireTool("postgresql", "dump"),
      (e: unknown) =>
        e instanceof Error &&
        e.name === "MissingToolError" &&
        e.message ===
          "pg_dump is not installed on the daemon's machine (or not on its PATH): install Debian's postgresql-client (apt-get install postgresql-client)",
    );
    assert.throws(
      () => tools.requireTool("mysql", "load"),
      /neither mariadb nor mysql is installed .*install Debian's mariadb-client/,
    );
    assert.throws(() => tools.requireTool("sqlite", "dump"), /Debian's sqlite3/);
    const dump = tools.dump(conn("postgresql"));
    await assert.rejects(dump.done, { name: "MissingToolError" });
  });
});
