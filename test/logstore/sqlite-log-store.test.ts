import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { NotFoundError } from "../../src/errors.js";
import { type LogStore, openLogStore, SlowFollowerError } from "../../src/logstore/index.js";
import { tempDir } from "../helpers/temp.js";

const dbPath = () => join(tempDir("restwell-logs-"), "logs.sqlite");
const text = (b: Buffer | undefined) => b?.toString("utf8");

/** Sums stored (compressed) chunk sizes and chunk counts of a log, read from the file. */
function storedChunks(path: string, ref: string) {
  const db = new Database(path, { readonly: true });
  const row = db
    .prepare("SELECT count(*) AS chunks, sum(length(data)) AS bytes FROM log_chunks WHERE ref = ?")
    .get(ref) as { chunks: number; bytes: number };
  db.close();
  return row;
}

/** Collects a follow stream into strings; `each` runs after every chunk. */
async function collect(store: LogStore, ref: string, signal: AbortSignal, each = () => {}) {
  const chunks: string[] = [];
  for await (const chunk of store.follow(ref, signal)) {
    chunks.push(chunk.toString("utf8"));
    each();
  }
  return chunks;
}

describe("log store: reading and writing", () => {
  it("round-trips non-ASCII text across flushes, also while still being written", () => {
    const store = openLogStore(":memory:", { flushBytes: 16 });
    const w = store.create();
    w.write("Grüße, 世界! ");
    w.write(Buffer.from("émoji 🎉\n"));
    assert.equal(text(store.read(w.ref)), "Grüße, 世界! émoji 🎉\n");
    w.write("tail");
    w.end();
    w.write("ignored after end");
    assert.equal(text(store.read(w.ref)), "Grüße, 世界! émoji 🎉\ntail");
    assert.match(w.ref, /^[0-9a-f]{32}$/);
    assert.notEqual(store.create().ref, w.ref);
    store.close();
  });

  it("keeps logs across close and reopen", () => {
    const path = dbPath();
    const first = openLogStore(path);
    const w = first.create();
    w.write("kept\n");
    w.end();
    first.close();
    const second = openLogStore(path);
    assert.equal(text(second.read(w.ref)), "kept\n");
    assert.equal(second.read("unknown"), undefined);
    second.close();
  });

  it("ends a log left unended by a crash, keeping what was flushed", async () => {
    const path = dbPath();
    const crashed = openLogStore(path, { flushBytes: 8, now: () => 1000 });
    const w = crashed.create();
    w.write("flushed text\n");
    w.write("lost"); // below flushBytes: only in the dead process's memory
    const reopened = openLogStore(path, { now: () => 5000 });
    assert.equal(text(reopened.read(w.ref)), "flushed text\n");
    assert.deepEqual(await collect(reopened, w.ref, new AbortController().signal), [
      "flushed text\n",
    ]);
    assert.equal(reopened.expire(5001), 1); // it counts as ended at 5000
    reopened.close();
    crashed.close();
  });

  it("keeps the head of a log beyond maxBytes and notes what was dropped", () => {
    const store = openLogStore(":memory:", { flushBytes: 4 });
    const w = store.create({ maxBytes: 10 });
    w.write("0123456");
    w.write("789abc");
    w.write("def");
    w.end();
    assert.equal(text(store.read(w.ref)), "0123456789\n[log truncated: 6 bytes dropped]\n");
  });

  it("does not split a UTF-8 character at the cap", () => {
    const store = openLogStore(":memory:");
    const w = store.create({ maxBytes: 4 });
    w.write("ab€"); // € is 3 bytes
    w.write("x");
    w.end();
    assert.equal(text(store.read(w.ref)), "ab\n[log truncated: 4 bytes dropped]\n");
  });

  it("notes truncation of a log whose process crashed", () => {
    const path = dbPath();
    const crashed = openLogStore(path, { flushBytes: 1 });
    const w = crashed.create({ maxBytes: 3 });
    w.write("abcdef");
    const reopened = openLogStore(path);
    assert.equal(text(reopened.read(w.ref)), "abc\n[log truncated: 3 bytes dropped]\n");
    reopened.close();
    crashed.close();
  });

  it("stores repetitive text compressed", () => {
    const path = dbPath();
    const store = openLogStore(path, { flushBytes: 64 * 1024 });
    const w = store.create();
    const line = "[restic] checking snapshots, trees and blobs: 1234 of 5678 done\n";
    const total = line.repeat(10_000);
    w.write(total);
    w.end();
    assert.equal(text(store.read(w.ref)), total);
    store.close();
    const { chunks, bytes } = storedChunks(path, w.ref);
    assert.equal(chunks, 1);
    assert.ok(bytes * 20 < Buffer.byteLength(total), `${bytes} bytes stored`);
  });
});

describe("log store: following", () => {
  it("yields what is there, then live chunks, and returns at end()", async () => {
    const store = openLogStore(":memory:", { flushBytes: 6 });
    const w = store.create();
    w.write("stored\n"); // flushed
    w.write("buf\n"); // buffered
    const script = [() => w.write("live 1\n"), () => w.write("live 2\n"), () => w.end()];
    const chunks = await collect(store, w.ref, new AbortController().signal, () => {
      setImmediate(() => script.shift()?.());
    });
    assert.deepEqual(chunks, ["stored\n", "buf\n", "live 1\n", "live 2\n"]);
  });

  it("returns the whole content of an ended log", async () => {
    const store = openLogStore(":memory:", { flushBytes: 2 });
    const w = store.create();
    for (const part of ["ab", "cd", "ef"]) w.write(part);
    w.end();
    const chunks = await collect(store, w.ref, new AbortController().signal);
    assert.equal(chunks.join(""), "abcdef");
  });

  it("returns when the signal aborts", async () => {
    const store = openLogStore(":memory:");
    const w = store.create();
    w.write("x");
    const controller = new AbortController();
    const chunks = await collect(store, w.ref, controller.signal, () => {
      setImmediate(() => controller.abort());
    });
    assert.deepEqual(chunks, ["x"]);
  });

  it("throws NotFoundError for an unknown ref", async () => {
    const store = openLogStore(":memory:");
    await assert.rejects(
      collect(store, "nope", new AbortController().signal),
      (error) => error instanceof NotFoundError && error.id === "nope",
    );
  });

  it("drops a follower that falls too far behind", async () => {
    const store = openLogStore(":memory:", { maxFollowerQueueBytes: 10 });
    const w = store.create();
    const stream = store.follow(w.ref, new AbortController().signal);
    const first = stream.next(); // subscribes
    w.write("12345");
    assert.equal(text((await first).value as Buffer), "12345");
    w.write("1234567890"); // not consumed yet ...
    w.write("1"); // ... and now past the bound
    await assert.rejects(stream.next(), SlowFollowerError);
    w.write("more");
    w.end();
  });

  it("ends followers of a deleted log", async () => {
    const store = openLogStore(":memory:");
    const w = store.create();
    const done = collect(store, w.ref, new AbortController().signal);
    await new Promise((resolve) => setImmediate(resolve));
    store.delete([w.ref]);
    assert.deepEqual(await done, []);
    assert.equal(store.read(w.ref), undefined);
  });
});

describe("log store: expiry", () => {
  it("expires only logs that ended before the cutoff", () => {
    let now = 1000;
    const store = openLogStore(":memory:", { now: () => now });
    const old = store.create();
    old.end();
    now = 2000;
    const recent = store.create();
    recent.end();
    const running = store.create();
    now = 3000;
    assert.equal(store.expire(2000), 1);
    assert.equal(store.read(old.ref), undefined);
    assert.equal(text(store.read(recent.ref)), "");
    running.write("still here");
    assert.equal(text(store.read(running.ref)), "still here");
    assert.equal(store.expire(10_000), 1);
    assert.equal(text(store.read(running.ref)), "still here");
  });

  it("deletes logs by ref", () => {
    const store = openLogStore(":memory:");
    const a = store.create();
    const b = store.create();
    a.end();
    b.end();
    store.delete([a.ref, "unknown"]);
    assert.equal(store.read(a.ref), undefined);
    assert.equal(text(store.read(b.ref)), "");
  });
});
