import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { openSnapshotTreeStore } from "../../src/snapshot-index/index.js";
import { TREE_SQL } from "../../src/snapshot-index/statements.js";
import { tempDir } from "../helpers/temp.js";
import { namesOf, node, smallTree, storeTree, syntheticTree } from "./fixtures.js";

const dbPath = () => join(tempDir("restwell-tree-"), "snapshot-index.sqlite");

describe("snapshot tree store: reading", () => {
  const store = openSnapshotTreeStore(":memory:");
  storeTree(store, "repo", "snap", smallTree());

  it("lists exactly the direct children, folders first, then by name", () => {
    assert.deepEqual(namesOf(store.listFolder("repo", "snap", "/srv/data")), [
      "a-dir",
      "b-dir",
      "empty",
      "a.txt",
      "c.txt",
      "link",
    ]);
  });

  it("lists the root for '/' and ''", () => {
    assert.deepEqual(namesOf(store.listFolder("repo", "snap", "/")), ["srv"]);
    assert.deepEqual(namesOf(store.listFolder("repo", "snap", "")), ["srv"]);
    assert.deepEqual(namesOf(store.listFolder("repo", "snap", "/srv")), ["data", "data.txt"]);
  });

  it("accepts a trailing slash and returns full nodes with their paths", () => {
    const [first, , , aTxt, cTxt, link] = store.listFolder("repo", "snap", "/srv/data/") ?? [];
    assert.deepEqual(first, node("/srv/data/a-dir"));
    assert.deepEqual(aTxt, node("/srv/data/a.txt", { size: 10, atime: "2024-03-02T00:00:00Z" }));
    assert.equal(cTxt?.ctime, "2024-03-03T00:00:00Z");
    assert.equal(cTxt?.atime, cTxt?.mtime);
    assert.deepEqual(link, node("/srv/data/link", { type: "symlink", linkTarget: "a.txt" }));
  });

  it("returns [] for an empty folder and undefined for a missing folder, a file or tree", () => {
    assert.deepEqual(store.listFolder("repo", "snap", "/srv/data/empty"), []);
    assert.equal(store.listFolder("repo", "snap", "/srv/nope"), undefined);
    assert.equal(store.listFolder("repo", "snap", "/srv/data/a.txt"), undefined);
    assert.equal(store.listFolder("repo", "other", "/"), undefined);
    assert.equal(store.listFolder("other", "snap", "/"), undefined);
  });

  it("gets one node by path", () => {
    assert.deepEqual(
      store.getNode("repo", "snap", "/srv/data/b-dir/deep.txt"),
      node("/srv/data/b-dir/deep.txt", { size: 7 }),
    );
    assert.equal(store.getNode("repo", "snap", "/srv/data")?.type, "dir");
    assert.equal(store.getNode("repo", "snap", "/srv/data/nope"), undefined);
    assert.equal(store.getNode("repo", "snap", "/nope/x"), undefined);
    assert.equal(store.getNode("repo", "snap", "/"), undefined);
  });

  it("sums files and bytes below a path, without counting same-prefix siblings", () => {
    assert.deepEqual(store.totals("repo", "snap", "/srv/data"), { files: 4, bytes: 38 });
    assert.deepEqual(store.totals("repo", "snap", "/srv"), { files: 5, bytes: 138 });
    assert.deepEqual(store.totals("repo", "snap", "/"), { files: 5, bytes: 138 });
    assert.deepEqual(store.totals("repo", "snap", "/srv/data/c.txt"), { files: 1, bytes: 20 });
    assert.deepEqual(store.totals("repo", "snap", "/srv/data/empty"), { files: 0, bytes: 0 });
    assert.deepEqual(store.totals("repo", "snap", "/srv/data/link"), { files: 0, bytes: 0 });
    assert.deepEqual(store.totals("repo", "snap", "/nope"), { files: 0, bytes: 0 });
  });

  it("keeps unknown node types", () => {
    storeTree(store, "repo", "odd", [node("/w", { type: "whiteout" })]);
    assert.equal(store.getNode("repo", "odd", "/w")?.type, "whiteout");
  });
});

describe("snapshot tree store: writing", () => {
  it("makes a tree visible only at commit", () => {
    const store = openSnapshotTreeStore(":memory:");
    const writer = store.begin("repo", "snap");
    for (const n of syntheticTree(3, 5000)) writer.add(n); // more than one batch
    assert.equal(store.has("repo", "snap"), false);
    assert.equal(store.listFolder("repo", "snap", "/data"), undefined);
    writer.commit();
    assert.equal(store.has("repo", "snap"), true);
    assert.equal(store.listFolder("repo", "snap", "/data/folder-0002")?.length, 5000);
    assert.throws(() => writer.add(node("/late")), /already committed/);
    store.close();
  });

  it("leaves nothing after abort", () => {
    const path = dbPath();
    const store = openSnapshotTreeStore(path);
    const writer = store.begin("repo", "snap");
    for (const n of syntheticTree(2, 6000)) writer.add(n);
    writer.abort();
    assert.equal(store.has("repo", "snap"), false);
    store.close();
    assert.deepEqual(rowCounts(path), { trees: 0, dirs: 0, nodes: 0 });
  });

  it("drops an uncommitted tree of a crashed process when the file is opened again", () => {
    const path = dbPath();
    const crashed = openSnapshotTreeStore(path);
    storeTree(crashed, "repo", "kept", smallTree());
    const writer = crashed.begin("repo", "snap");
    for (const n of syntheticTree(3, 5000)) writer.add(n); // batches already written
    assert.ok(rowCounts(path).nodes > 10_000);
    const reopened = openSnapshotTreeStore(path);
    assert.equal(reopened.has("repo", "snap"), false);
    assert.equal(reopened.has("repo", "kept"), true);
    assert.deepEqual(rowCounts(path).nodes, smallTree().length);
    reopened.close();
    crashed.close();
  });

  it("replaces an earlier copy of the same snapshot", () => {
    const path = dbPath();
    const store = openSnapshotTreeStore(path);
    storeTree(store, "repo", "snap", smallTree());
    storeTree(store, "repo", "snap", [node("/new"), node("/new/f", { size: 1 })]);
    assert.deepEqual(namesOf(store.listFolder("repo", "snap", "/")), ["new"]);
    assert.equal(store.listFolder("repo", "snap", "/srv"), undefined);
    store.close();
    assert.deepEqual(rowCounts(path), { trees: 1, dirs: 2, nodes: 2 });
  });

  it("keeps the old copy visible while a new one is being written", () => {
    const store = openSnapshotTreeStore(":memory:");
    storeTree(store, "repo", "snap", smallTree());
    const writer = store.begin("repo", "snap");
    writer.add(node("/new"));
    assert.deepEqual(namesOf(store.listFolder("repo", "snap", "/")), ["srv"]);
    writer.abort();
    assert.deepEqual(namesOf(store.listFolder("repo", "snap", "/")), ["srv"]);
  });
});

describe("snapshot tree store: retention", () => {
  it("retainOnly drops the repo's other trees and leaves other repos alone", () => {
    const store = openSnapshotTreeStore(":memory:");
    for (const snap of ["s1", "s2", "s3"]) storeTree(store, "repo", snap, smallTree());
    storeTree(store, "other", "s1", smallTree());
    assert.equal(store.retainOnly("repo", ["s2", "gone"]), 2);
    assert.deepEqual(
      ["s1", "s2", "s3"].map((s) => store.has("repo", s)),
      [false, true, false],
    );
    assert.equal(store.has("other", "s1"), true);
  });

  it("retainOnly keeps a tree stored under the short id of a live snapshot", () => {
    const store = openSnapshotTreeStore(":memory:");
    const full = "0123456789abcdef".repeat(4);
    const short = full.slice(0, 8);
    storeTree(store, "repo", short, smallTree());
    storeTree(store, "repo", "fedcba98", smallTree());
    assert.equal(store.retainOnly("repo", [full]), 1);
    assert.equal(store.has("repo", short), true);
    assert.equal(store.has("repo", "fedcba98"), false);
  });

  it("deleteRepo drops every tree of the repo, and a writer of it cannot commit", () => {
    const store = openSnapshotTreeStore(":memory:");
    storeTree(store, "repo", "s1", smallTree());
    storeTree(store, "other", "s1", smallTree());
    const writer = store.begin("repo", "s2");
    writer.add(node("/x"));
    store.deleteRepo("repo");
    assert.equal(store.has("repo", "s1"), false);
    assert.equal(store.has("other", "s1"), true);
    assert.throws(() => writer.commit(), { name: "ConflictError" });
    assert.equal(store.has("repo", "s2"), false);
  });

  it("evicts least recently used trees beyond maxNodes at commit", () => {
    let now = 1_000_000;
    const store = openSnapshotTreeStore(":memory:", { maxNodes: 25, now: () => now });
    const size = smallTree().length; // 11: two trees fit, three do not
    storeTree(store, "repo", "a", smallTree());
    now += 120_000;
    storeTree(store, "repo", "b", smallTree());
    now += 120_000;
    assert.ok(store.listFolder("repo", "a", "/")); // a is now more recent than b
    now += 120_000;
    storeTree(store, "repo", "c", smallTree());
    assert.deepEqual(
      ["a", "b", "c"].map((s) => store.has("repo", s)),
      [true, false, true],
    );
    assert.ok(2 * size <= 25);
  });

  it("keeps a just-committed tree even when it alone exceeds maxNodes", () => {
    const store = openSnapshotTreeStore(":memory:", { maxNodes: 5 });
    storeTree(store, "repo", "a", smallTree());
    storeTree(store, "repo", "b", smallTree());
    assert.equal(store.has("repo", "a"), false);
    assert.equal(store.has("repo", "b"), true);
  });
});

describe("snapshot tree store: scale and indexes", () => {
  it("writes and lists a 200,000-node tree", () => {
    const path = dbPath();
    const store = openSnapshotTreeStore(path);
    storeTree(store, "repo", "big", syntheticTree(1000, 200));
    const data = store.listFolder("repo", "big", "/data");
    assert.equal(data?.length, 1000);
    assert.equal(data?.[999]?.path, "/data/folder-0999");
    const folder = store.listFolder("repo", "big", "/data/folder-0500");
    assert.equal(folder?.length, 200);
    assert.equal(folder?.[0]?.path, "/data/folder-0500/file-0000.bin");
    assert.equal(folder?.[199]?.size, 200);
    assert.deepEqual(store.totals("repo", "big", "/data"), {
      files: 200_000,
      bytes: 1000 * ((200 * 201) / 2),
    });
    assert.equal(store.getNode("repo", "big", "/data/folder-0999/file-0199.bin")?.size, 200);
    store.close();
    assert.deepEqual(rowCounts(path), { trees: 1, dirs: 1002, nodes: 201_001 });
  });

  it("answers every lookup from an index, never a full scan or a temp sort", () => {
    const path = dbPath();
    openSnapshotTreeStore(path).close();
    const db = new Database(path, { readonly: true });
    const scans = ["findTree", "dirId", "children", "node", "dirOwnTotals", "dirRangeTotals"]
      .concat(["treeExists", "otherCopies", "deleteNodes", "deleteDirs", "deleteTree"])
      .map((name) => ({ name, plan: explain(db, TREE_SQL[name as keyof typeof TREE_SQL]) }));
    db.close();
    for (const { name, plan } of scans) {
      assert.match(plan, /SEARCH \w+ USING/, `${name}: ${plan}`);
      assert.doesNotMatch(plan, /SCAN|TEMP B-TREE/, `${name}: ${plan}`);
    }
  });
});

/** The query plan's details, joined. */
function explain(db: Database.Database, sql: string): string {
  const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const params = Array.from({ length: sql.split("?").length - 1 }, () => 1);
  const rows = statement.all(...params) as { detail: string }[];
  return rows.map((r) => r.detail).join("; ");
}

/** Rows of each table of the index file. */
function rowCounts(path: string) {
  const db = new Database(path, { readonly: true });
  const count = (table: string) =>
    db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const counts = { trees: count("trees"), dirs: count("dirs"), nodes: count("nodes") };
  db.close();
  return counts;
}
