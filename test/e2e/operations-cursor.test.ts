/**
 * GetOperations' cursor (OpSelector.before_id) against the real daemon over Connect JSON: the
 * pages of a lastN query walk the history once, newest first, with or without filters; a
 * before_id of 0 or below is refused as INVALID_ARGUMENT; ClearHistory honours it too.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { startDaemon } from "../../src/daemon.js";
import { dataFiles } from "../../src/data-files.js";
import { silentLogger } from "../../src/log.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { writeConfig } from "../helpers/daemon.js";
import { callJson, type OpJson } from "../helpers/http.js";

const OPS = 40;

/** Writes OPS finished operations, alternating plans "a" and "b"; returns their ids, ascending. */
function seed(dataDir: string): bigint[] {
  mkdirSync(dataDir, { recursive: true });
  const store = openSqliteOpStore(dataFiles(dataDir).oplog);
  try {
    return Array.from({ length: OPS }, (_, i) => {
      const [op] = store.add(
        create(OperationSchema, {
          repoId: "r",
          planId: i % 2 === 0 ? "a" : "b",
          instanceId: "cursor-test",
          status: OperationStatus.STATUS_SUCCESS,
          unixTimeStartMs: BigInt(1_700_000_000_000 + i),
          op: { case: "operationBackup", value: {} },
        }),
      );
      return op?.id ?? 0n;
    });
  } finally {
    store.close();
  }
}

describe("GetOperations with before_id", async () => {
  const { configPath, dataDir } = writeConfig({
    instance: "cursor-test",
    auth: { disabled: true },
  });
  const ids = seed(dataDir);
  const daemon = await startDaemon({
    configPath,
    dataDir,
    bindAddress: "127.0.0.1:0",
    resticCommand: "restic",
    resticEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
    log: silentLogger,
  });
  after(() => daemon.stop());

  const getOperations = async (selector: object, lastN?: number) => {
    const res = await callJson(daemon.url, "v1.Backrest/GetOperations", {
      selector,
      ...(lastN === undefined ? {} : { lastN: String(lastN) }),
    });
    return {
      ...res,
      ids: ((res.body as { operations?: OpJson[] }).operations ?? []).map((op) => BigInt(op.id)),
    };
  };

  /** The ids of every page of `selector`, newest first, and how many requests it took. */
  const walk = async (selector: object, pageSize: number) => {
    const seen: bigint[] = [];
    let requests = 0;
    for (;;) {
      const cursor = seen.at(-1);
      const page = await getOperations(
        cursor === undefined ? selector : { ...selector, beforeId: String(cursor) },
        pageSize,
      );
      requests++;
      assert.equal(page.status, 200, page.text);
      assert.ok(page.ids.length <= pageSize);
      if (cursor !== undefined)
        assert.ok(
          page.ids.every((id) => id < cursor),
          "below the cursor",
        );
      seen.push(...page.ids.reverse());
      if (page.ids.length < pageSize) return { seen, requests };
      assert.ok(requests < 100, "paging ends");
    }
  };

  it("walks every operation exactly once, newest first, a page at a time", async () => {
    const { seen, requests } = await walk({}, 7);
    assert.deepEqual(seen, ids.slice().reverse());
    assert.equal(requests, Math.ceil(OPS / 7));
  });

  it("combines before_id with a plan filter", async () => {
    const { seen } = await walk({ planId: "b" }, 6);
    assert.deepEqual(seen, ids.filter((_, i) => i % 2 === 1).reverse());
  });

  it("without lastN selects every older operation, oldest first", async () => {
    const cursor = ids[10] as bigint;
    const res = await getOperations({ beforeId: String(cursor) });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.ids, ids.slice(0, 10));
  });

  it("refuses a before_id of 0 or below as INVALID_ARGUMENT, naming the field", async () => {
    for (const beforeId of ["0", "-3"]) {
      const res = await getOperations({ beforeId }, 5);
      assert.equal(res.status, 400, res.text);
      const body = res.body as { code?: string; message?: string };
      assert.equal(body.code, "invalid_argument");
      assert.match(body.message ?? "", /selector\.beforeId: .*oldest id of the page/);
    }
    const clear = await callJson(daemon.url, "v1.Backrest/ClearHistory", {
      selector: { beforeId: "0" },
    });
    assert.equal(clear.status, 400, clear.text);
  });

  it("ClearHistory with before_id clears only the older operations", async () => {
    const cursor = ids[30] as bigint;
    const clear = await callJson(daemon.url, "v1.Backrest/ClearHistory", {
      selector: { beforeId: String(cursor), planId: "a" },
    });
    assert.equal(clear.status, 200, clear.text);
    const left = await getOperations({});
    assert.deepEqual(
      left.ids,
      ids.filter((id, i) => i % 2 === 1 || id >= cursor),
    );
  });
});
