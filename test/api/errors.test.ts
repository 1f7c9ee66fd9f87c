/**
 * The API edge's error mapping for a full disk and for messages that echo long input (the
 * end-to-end versions: test/e2e/disk-full.test.ts and test/e2e/long-input-errors.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code } from "@connectrpc/connect";
import { toConnectError } from "../../src/api/errors.js";
import { NotFoundError, ValidationError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";

function errnoError(code: string, path?: string): Error {
  return Object.assign(new Error(`${code}: no space left on device, write`), { code, path });
}

describe("toConnectError", () => {
  it("maps a full disk to RESOURCE_EXHAUSTED saying which disk and what to do", () => {
    const err = toConnectError(
      errnoError("ENOSPC", "/srv/restwell/conf/config.json.tmp-1"),
      silentLogger,
    );
    assert.equal(err.code, Code.ResourceExhausted);
    assert.equal(
      err.rawMessage,
      "no space left on the disk holding /srv/restwell/conf; free space there and retry",
    );
    assert.equal(toConnectError(errnoError("EDQUOT"), silentLogger).code, Code.ResourceExhausted);
  });

  it("maps SQLite's full database to RESOURCE_EXHAUSTED", () => {
    const sqlite = Object.assign(new Error("database or disk is full"), {
      name: "SqliteError",
      code: "SQLITE_FULL",
    });
    const err = toConnectError(sqlite, silentLogger);
    assert.equal(err.code, Code.ResourceExhausted);
    assert.match(err.rawMessage, /data directory is full; free space/);
  });

  it("still maps other failures to INTERNAL with a generic message", () => {
    const err = toConnectError(errnoError("EACCES", "/x"), silentLogger, "req-1");
    assert.equal(err.code, Code.Internal);
    assert.match(err.rawMessage, /internal error \(request id req-1\)/);
  });

  it("keeps messages that echo long input short", () => {
    const id = "x".repeat(300_000);
    const notFound = toConnectError(new NotFoundError("repo", id), silentLogger);
    assert.equal(notFound.code, Code.NotFound);
    assert.ok(notFound.rawMessage.length < 300, notFound.rawMessage.slice(0, 100));
    assert.match(notFound.rawMessage, /^repo "x{200}…" does not exist$/);
    const invalid = toConnectError(
      new ValidationError([{ path: "paths[0]", message: `"${id}" is not absolute` }]),
      silentLogger,
    );
    assert.equal(invalid.code, Code.InvalidArgument);
    assert.ok(invalid.rawMessage.length < 2_100);
    assert.match(invalid.rawMessage, /^invalid input: paths\[0\]: "x+… \(\d+ more characters\)$/);
  });
});
