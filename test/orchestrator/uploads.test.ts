/**
 * Uploads with fakes at the orchestrator's seams: a restic fake that reads its stdin the way the
 * real one is fed (piped), a memory op store and config. The queue, the size limit, cut-off
 * bodies and restic failing without reading; filename rules and the limit setting.
 */
import assert from "node:assert/strict";
import { PassThrough, Writable } from "node:stream";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ConfigSchema, SettingsSchema } from "../../gen/v1/config_pb.js";
import { OperationStatus, StdinSource_Kind } from "../../gen/v1/operations_pb.js";
import { NotFoundError, ValidationError } from "../../src/errors.js";
import { OperationFailedError } from "../../src/orchestrator/errors.js";
import { createOrchestrator } from "../../src/orchestrator/orchestrator.js";
import {
  formatBytes,
  UploadInterruptedError,
  UploadTooLargeError,
} from "../../src/orchestrator/upload-input.js";
import { uploadFilename, uploadLimitBytes } from "../../src/orchestrator/uploads.js";
import type { BackupOptions, Restic } from "../../src/restic/types.js";
import { makeDeps, settle, summary } from "./fakes.js";

/** A stdin backup the fake restic is running: what it read so far, and how to end it. */
interface StdinRun {
  tags: string[];
  filename: string;
  read: Buffer[];
  /** Ends restic as if it had failed on its own, closing its stdin. */
  failEarly(err: Error): void;
}

/**
 * Makes the fake restic's stdin backups read their input like restic (piped into its stdin):
 * a snapshot once the input ends, a cancel when it fails or the call's signal fires.
 */
function withStdinRestic(deps: ReturnType<typeof makeDeps>["deps"]) {
  const runs: StdinRun[] = [];
  const original = deps.restic.backup;
  const backup: Restic["backup"] = (repo, opts: BackupOptions, call) => {
    const stdin = opts.stdin;
    if (!stdin) return original(repo, opts, call);
    return new Promise((resolve, reject) => {
      const read: Buffer[] = [];
      const cancelled = () =>
        reject(Object.assign(new Error("cancelled"), { name: "ResticCancelledError" }));
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          read.push(chunk);
          done();
        },
      });
      const run: StdinRun = {
        tags: opts.tags ?? [],
        filename: stdin.filename,
        read,
        failEarly(err) {
          sink.destroy();
          reject(err);
        },
      };
      runs.push(run);
      sink.on("finish", () => {
        const bytes = Buffer.concat(read).length;
        resolve({
          summary: { ...summary("5eed0001"), totalBytesProcessed: bytes },
          errors: [],
          partial: false,
        });
      });
      stdin.input.on("error", cancelled);
      stdin.input.on("close", () => {
        if (!sink.writableFinished) cancelled();
      });
      call?.signal?.addEventListener("abort", cancelled);
      stdin.input.pipe(sink);
    });
  };
  deps.restic = { ...deps.restic, backup };
  return runs;
}

function setup(settings: { uploadMaxBytes?: bigint } = {}) {
  const made = makeDeps();
  const cfg = made.config.get();
  made.config.update(create(ConfigSchema, { ...cfg, settings: create(SettingsSchema, settings) }));
  const runs = withStdinRestic(made.deps);
  const orch = createOrchestrator(made.deps);
  return { ...made, runs, orch };
}

const failureOf = async (done: Promise<unknown>) => {
  const err = await done.then(
    () => assert.fail("the upload succeeded"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof OperationFailedError, String(err));
  return err;
};

describe("uploads", () => {
  it("leaves a queued upload's body unread until its turn, then stores it tagged as an upload", async () => {
    const { orch, fake, runs, ops } = setup();
    const before = orch.backup("p1"); // holds repo r1's queue (the fake waits)
    await settle(20);
    const body = new PassThrough();
    const upload = orch.uploads.start("p1b", { filename: "db.sql", body });
    body.write(Buffer.alloc(1000, 1));
    body.write(Buffer.alloc(500, 2));
    await settle(20);
    assert.equal(ops.get(upload.operation.id)?.status, OperationStatus.STATUS_PENDING);
    assert.equal(body.readableLength, 1500, "nothing of the body was read");
    assert.notEqual(body.readableFlowing, true);
    assert.equal(upload.received(), 0);
    assert.equal(runs.length, 0);

    fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
    await before;
    body.end(Buffer.alloc(24, 3));
    const result = await upload.done;
    assert.equal(result.bytes, 1524);
    assert.equal(result.filename, "db.sql");
    assert.equal(result.snapshotId, "5eed0001");
    assert.equal(Buffer.concat(runs[0]?.read ?? []).length, 1524);
    assert.deepEqual(runs[0]?.tags, ["plan:p1b", "created-by:unit", "restwell:source:upload"]);
    assert.equal(runs[0]?.filename, "db.sql");
    const op = ops.get(upload.operation.id);
    assert.equal(op?.status, OperationStatus.STATUS_SUCCESS);
    assert.equal(op?.planId, "p1b");
    assert.equal(op?.snapshotId, "5eed0001");
    const source = op?.op.case === "operationBackup" ? op.op.value.stdinSource : undefined;
    assert.equal(source?.kind, StdinSource_Kind.UPLOAD);
    assert.equal(source?.filename, "db.sql");
  });

  it("refuses an unknown plan and a declared size over the limit before queueing anything", () => {
    const { orch, ops } = setup({ uploadMaxBytes: 100n });
    const body = new PassThrough();
    assert.throws(() => orch.uploads.check("nope"), NotFoundError);
    assert.throws(() => orch.uploads.check("p1", 101), UploadTooLargeError);
    orch.uploads.check("p1", 100);
    assert.throws(
      () => orch.uploads.start("p1", { filename: "x", body, size: 101 }),
      (e: unknown) => e instanceof UploadTooLargeError && /limit of 100 bytes/.test(e.message),
    );
    assert.throws(() => orch.uploads.start("p1", { filename: "a/b", body }), ValidationError);
    assert.deepEqual(ops.query({}), []);
  });

  it("stops restic when the body grows past the limit: the op fails saying the limit", async () => {
    const { orch, ops, runs } = setup({ uploadMaxBytes: 100n });
    const body = new PassThrough();
    const upload = orch.uploads.start("p2", { filename: "big.bin", body });
    body.write(Buffer.alloc(60));
    body.write(Buffer.alloc(60));
    const err = await failureOf(upload.done);
    assert.ok(err.cause instanceof UploadTooLargeError);
    const op = ops.get(upload.operation.id);
    assert.equal(op?.status, OperationStatus.STATUS_ERROR);
    assert.match(op?.displayMessage ?? "", /larger than the limit of 100 bytes \(100 B\)/);
    assert.ok(
      Buffer.concat(runs[0]?.read ?? []).length <= 100,
      "restic got no byte past the limit",
    );
  });

  it("fails a body cut off midway as interrupted after the bytes received", async () => {
    const { orch, ops } = setup();
    const body = new PassThrough();
    const upload = orch.uploads.start("p2", { filename: "cut.bin", body });
    body.write(Buffer.alloc(40));
    await settle(20);
    body.destroy(new Error("aborted"));
    const err = await failureOf(upload.done);
    assert.ok(err.cause instanceof UploadInterruptedError);
    assert.equal(upload.received(), 40);
    const op = ops.get(upload.operation.id);
    assert.equal(op?.status, OperationStatus.STATUS_ERROR);
    assert.match(op?.displayMessage ?? "", /^the upload was interrupted after 40 bytes/);
  });

  it("fails at its turn an upload whose client left while it was queued", async () => {
    const { orch, fake, ops } = setup();
    const before = orch.backup("p1");
    await settle(20);
    const body = new PassThrough();
    const upload = orch.uploads.start("p1", { filename: "gone.bin", body });
    body.destroy();
    fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
    await before;
    await failureOf(upload.done);
    assert.match(ops.get(upload.operation.id)?.displayMessage ?? "", /interrupted after 0 bytes/);
  });

  it("shows a body's ValidationError (a form with a second file) as it is", async () => {
    const { orch, ops } = setup();
    const body = new PassThrough();
    const upload = orch.uploads.start("p2", { filename: "form.bin", body });
    body.write(Buffer.alloc(10));
    await settle(20);
    body.destroy(new ValidationError([{ path: "", message: "a second file" }], "invalid upload"));
    const err = await failureOf(upload.done);
    assert.equal((err.cause as Error).name, "ValidationError");
    assert.equal(ops.get(upload.operation.id)?.displayMessage, "invalid upload: a second file");
  });

  it("fails with restic's error, without waiting for the body, when restic stops reading", async () => {
    const { orch, ops, runs } = setup();
    const body = new PassThrough();
    const upload = orch.uploads.start("p2", { filename: "locked.bin", body });
    body.write(Buffer.alloc(10));
    await settle(20);
    const locked = Object.assign(new Error("the repository is locked; unlock it"), {
      name: "ResticError",
      kind: "locked",
    });
    runs[0]?.failEarly(locked);
    const err = await failureOf(upload.done);
    assert.equal(err.cause, locked);
    assert.equal(
      ops.get(upload.operation.id)?.displayMessage,
      "the repository is locked; unlock it",
    );
    assert.equal(body.readableFlowing, false, "the rest of the body is left unread");
  });

  it("cancels a queued upload without reading its body", async () => {
    const { orch, fake, ops } = setup();
    const before = orch.backup("p1");
    await settle(20);
    const body = new PassThrough();
    body.write(Buffer.alloc(10));
    const upload = orch.uploads.start("p1", { filename: "never.bin", body });
    orch.cancel(upload.operation.id);
    // A cancelled operation leaves the queue at its turn (the runner's rule for every operation).
    fake.backups[0]?.resolve({ summary: summary(), errors: [], partial: false });
    await before;
    await failureOf(upload.done);
    assert.equal(ops.get(upload.operation.id)?.status, OperationStatus.STATUS_USER_CANCELLED);
    assert.equal(body.readableLength, 10);
  });
});

describe("upload file names and limit", () => {
  it("accepts bare names of printable characters up to 255 bytes", () => {
    for (const name of ["db.sql", "naïve dump.tar.gz", ".hidden", "a..b", "x".repeat(255)])
      assert.equal(uploadFilename(name), name);
  });

  it("refuses empty names, paths, . and .., control characters and long names, saying what to do", () => {
    const cases: [string, RegExp][] = [
      ["", /empty; name the file, e.g. db.sql/],
      ["   ", /empty/],
      ["dir/db.sql", /contains "\/"; give a bare file name such as db.sql, not a path/],
      ["../db.sql", /contains "\/"/],
      ["..", /is not a file name/],
      [".", /is not a file name/],
      ["a\nb", /"a\\nb" contains a control character/],
      ["a\u0000b", /control character/],
      ["a\u0085b", /control character/],
      ["é".repeat(128), /is 256 bytes long; use at most 255 bytes/],
    ];
    for (const [name, message] of cases) {
      assert.throws(
        () => uploadFilename(name),
        (e: unknown) => e instanceof ValidationError && message.test(e.message),
        JSON.stringify(name),
      );
    }
  });

  it("reads the limit: 0 is 10 GiB, -1 none, else the bytes given", () => {
    const limit = (uploadMaxBytes: bigint) =>
      uploadLimitBytes(create(ConfigSchema, { settings: { uploadMaxBytes } }));
    assert.equal(limit(0n), 10 * 1024 ** 3);
    assert.equal(uploadLimitBytes(create(ConfigSchema, {})), 10 * 1024 ** 3);
    assert.equal(limit(-1n), undefined);
    assert.equal(limit(5n), 5);
    assert.equal(formatBytes(10 * 1024 ** 3), "10 GiB");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(17), "17 B");
  });
});
