/** statsHistory on SQLite reads the (repo, kind, start) index, never the whole log. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { STATS_SQL } from "../../src/oplog/sqlite-stats.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { tempDir } from "./fixtures.js";

const tmp = tempDir();
after(() => tmp.cleanup());

describe("sqlite statsHistory", () => {
  it("serves both statements from operations_repo_kind_start without a sort", () => {
    const path = join(tmp.dir, "stats.sqlite");
    openSqliteOpStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      for (const [name, sql] of Object.entries(STATS_SQL)) {
        const params = sql.includes("@sinceMs") ? { repoId: "r", sinceMs: 0 } : { repoId: "r" };
        const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
        const details = rows.map((row) => row.detail).join(" | ");
        assert.match(
          details,
          /SEARCH operations USING INDEX operations_repo_kind_start \(repo_id=\? AND kind=\?/,
          `${name}: ${details}`,
        );
        assert.doesNotMatch(details, /SCAN operations|TEMP B-TREE/, `${name}: ${details}`);
      }
    } finally {
      db.close();
    }
  });
});
