/** Validation of plans' database sources: every problem at once, at its field. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateConfig } from "../../src/config/index.js";
import { configFrom } from "./helpers.js";

const repo = { id: "r", uri: "/srv/r" };

function issues(plan: object): Record<string, string> {
  const cfg = configFrom({
    instance: "a",
    repos: [repo],
    plans: [{ id: "p", repo: "r", ...plan }],
  });
  return Object.fromEntries(validateConfig(cfg).map((i) => [i.path, i.message]));
}

const pg = { name: "app", kind: "KIND_POSTGRESQL", database: "app" };

describe("database sources in the config", () => {
  it("a plan may have databases instead of paths, or both, but not neither", () => {
    assert.deepEqual(issues({ databases: [pg] }), {});
    assert.deepEqual(issues({ paths: ["/home"], databases: [pg] }), {});
    assert.deepEqual(issues({}), {
      "plans[0].paths": "list at least one absolute path to back up, or a database source",
    });
  });

  it("accepts each kind with its usual settings", () => {
    const ok = [
      { ...pg, host: "/run/postgresql", user: "postgres", dumpFlags: ["--no-owner"] },
      {
        name: "shop.db-1",
        kind: "KIND_MYSQL",
        database: "shop",
        host: "127.0.0.1",
        port: 3306,
        user: "backup",
        passwordFile: "/etc/restwell/mysql-password",
        filename: "shop.sql",
      },
      { name: "notes", kind: "KIND_SQLITE", database: "/var/lib/app/notes.db" },
    ];
    assert.deepEqual(issues({ databases: ok }), {});
  });

  it("reports every problem of every source at once", () => {
    const found = issues({
      databases: [
        { name: "", kind: "KIND_POSTGRESQL", database: "" },
        { name: "bad name/", database: "x", port: 70000 },
        {
          name: "app",
          kind: "KIND_MYSQL",
          database: "shop",
          password: "pw",
          passwordFile: "/etc/pw",
          dumpFlags: ["single-transaction"],
          filename: "../escape.sql",
        },
        { name: "app", kind: "KIND_SQLITE", database: "relative.db" },
        { name: "dots", kind: "KIND_SQLITE", database: "/a.db", filename: ".." },
      ],
    });
    assert.deepEqual(Object.keys(found).sort(), [
      "plans[0].databases[0].database",
      "plans[0].databases[0].name",
      "plans[0].databases[1].kind",
      "plans[0].databases[1].name",
      "plans[0].databases[1].port",
      "plans[0].databases[2].dumpFlags[0]",
      "plans[0].databases[2].filename",
      "plans[0].databases[2].passwordFile",
      "plans[0].databases[3].database",
      "plans[0].databases[3].name",
      "plans[0].databases[4].filename",
    ]);
    assert.match(found["plans[0].databases[2].passwordFile"] ?? "", /not both/);
    assert.match(
      found["plans[0].databases[3].name"] ?? "",
      /already used by plans\[0\]\.databases\[2\]/,
    );
    assert.match(found["plans[0].databases[3].database"] ?? "", /absolute path of the SQLite/);
    assert.match(found["plans[0].databases[1].port"] ?? "", /out of range/);
    assert.match(found["plans[0].databases[2].filename"] ?? "", /plain file name/);
  });

  it("a password file must be an absolute path", () => {
    assert.deepEqual(issues({ databases: [{ ...pg, passwordFile: "pw.txt" }] }), {
      "plans[0].databases[0].passwordFile": '"pw.txt" must be an absolute path',
    });
  });

  it("a redaction marker left in a source's password is refused", () => {
    const found = issues({ databases: [{ ...pg, password: "<redacted>" }] });
    assert.deepEqual(Object.keys(found), ["plans[0].databases[0].password"]);
  });
});
