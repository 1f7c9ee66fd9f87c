/**
 * Uploads: a client pushes a file it made itself (POST /v1/upload/<planId>) and it becomes a
 * snapshot of the plan's repository with that file name, tagged as an upload of the plan.
 *
 * An upload is a backup operation of the plan like any other: it is recorded as pending,
 * queued behind the repository's other operations, fires the plan's hooks, reports progress,
 * can be cancelled and runs under the operation time limit. The body is not read before the
 * operation's turn: until then the caller leaves it paused, so a queued upload holds its
 * client (TCP backpressure) instead of being buffered in memory or on disk. A long queue
 * wait is just that - the client waits, as it would for a blocking Backup call (a proxy in
 * between needs a long enough timeout) - and a client that gave up meanwhile is found when
 * the turn comes: its body is cut off, so the upload fails at once as interrupted. A cancel
 * of a queued upload, like that of any queued operation, takes effect at its turn. Only a
 * body that ended normally makes a snapshot.
 */
import type { Readable } from "node:stream";
import type { Config, Plan } from "../../gen/v1/config_pb.js";
import { type Operation, StdinSource_Kind } from "../../gen/v1/operations_pb.js";
import { DEFAULT_UPLOAD_MAX_BYTES } from "../config/defaults.js";
import { NotFoundError, ValidationError } from "../errors.js";
import type { OrchestratorDeps } from "./deps.js";
import type { Runner } from "./runner.js";
import { sourceBackupTags } from "./snapshot-tags.js";
import { stdinBackupTask } from "./tasks/backup.js";
import { openUploadInput, type UploadInput, UploadTooLargeError } from "./upload-input.js";

/** Longest file name accepted, in UTF-8 bytes (what common file systems allow). */
export const MAX_FILENAME_BYTES = 255;

/** A file a client sends. */
export interface UploadRequest {
  /** The file's name in the snapshot; checked by uploadFilename. */
  filename: string;
  /**
   * The file's bytes, left paused until the upload's turn. It must end only when the client
   * sent all of it, and fail or close otherwise (a form with a second file fails it with a
   * ValidationError, which is shown as it is).
   */
  body: Readable;
  /** The size the client declared (Content-Length), refused before queueing when over the limit. */
  size?: number;
}

/** A finished upload. */
export interface UploadResult {
  operation: Operation;
  snapshotId: string;
  filename: string;
  /** Bytes stored (the body's length). */
  bytes: number;
}

export interface StartedUpload {
  /** The pending operation, as recorded when queued. */
  operation: Operation;
  /**
   * Settles once the snapshot is written; rejects with OperationFailedError otherwise (its
   * cause: UploadTooLargeError, UploadInterruptedError, the body's ValidationError, restic's
   * error or a cancel).
   */
  done: Promise<UploadResult>;
  /** Bytes of the body read so far (0 while queued). */
  received(): number;
}

export interface Uploads {
  /**
   * Checks what can be checked before the body is read: the plan exists, and the declared
   * size fits settings.uploadMaxBytes. Throws NotFoundError or UploadTooLargeError.
   */
  check(planId: string, size?: number): void;
  /** Checks (as `check` and the file name) and queues the upload. Throws ValidationError too. */
  start(planId: string, upload: UploadRequest): StartedUpload;
}

/** The upload size limit in bytes; undefined when there is none (settings.uploadMaxBytes -1). */
export function uploadLimitBytes(cfg: Config): number | undefined {
  const configured = cfg.settings?.uploadMaxBytes ?? 0n;
  if (configured < 0n) return undefined;
  return Number(configured === 0n ? DEFAULT_UPLOAD_MAX_BYTES : configured);
}

/**
 * `name` when it is usable as the snapshot's file name: a bare name (no "/", not "." or
 * ".."), no control characters, at most MAX_FILENAME_BYTES. Throws ValidationError saying
 * what to change otherwise.
 */
export function uploadFilename(name: string): string {
  const problem = filenameProblem(name);
  if (problem)
    throw new ValidationError([{ path: "filename", message: problem }], "invalid upload");
  return name;
}

function filenameProblem(name: string): string | undefined {
  const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
  if (name.trim() === "") return "the file name is empty; name the file, e.g. db.sql";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name))
    return `${shown} contains a control character; use printable characters only`;
  if (name.includes("/"))
    return `${shown} contains "/"; give a bare file name such as db.sql, not a path`;
  if (name === "." || name === "..")
    return `${shown} is not a file name; give a name such as db.sql`;
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_FILENAME_BYTES)
    return `${shown} is ${bytes} bytes long; use at most ${MAX_FILENAME_BYTES} bytes`;
  return undefined;
}

/**
 * Creates the uploads of an orchestrator: operations go through `runner`; `afterUpload`
 * runs once a snapshot is written (the orchestrator applies the plan's retention, which keeps
 * uploads apart by their source tag, and indexes the repo so listings show the snapshot).
 */
export function createUploads(
  deps: OrchestratorDeps,
  runner: Runner,
  afterUpload: (plan: Plan, op: Operation) => void,
): Uploads {
  function check(planId: string, size?: number): { cfg: Config; plan: Plan } {
    const cfg = deps.config.get();
    const plan = cfg.plans.find((p) => p.id === planId);
    if (!plan) throw new NotFoundError("plan", planId);
    const limit = uploadLimitBytes(cfg);
    if (limit !== undefined && size !== undefined && size > limit)
      throw new UploadTooLargeError(limit);
    return { cfg, plan };
  }

  function start(planId: string, upload: UploadRequest): StartedUpload {
    const { cfg, plan } = check(planId, upload.size);
    const filename = uploadFilename(upload.filename);
    let input: UploadInput | undefined;
    const { operation, done } = runner.start({
      repoId: plan.repo,
      planId,
      payload: {
        case: "operationBackup",
        value: { stdinSource: { kind: StdinSource_Kind.UPLOAD, filename } },
      },
      run: stdinBackupTask({
        filename,
        tags: sourceBackupTags(planId, cfg.instance, "upload"),
        // The limit as configured when the upload's turn comes.
        open: (signal) => {
          input = openUploadInput(upload.body, {
            limitBytes: uploadLimitBytes(deps.config.get()),
            signal,
          });
          return input;
        },
      }),
    });
    const finished = done.then((op) => {
      afterUpload(plan, op);
      return { operation: op, snapshotId: op.snapshotId, filename, bytes: input?.received() ?? 0 };
    });
    return { operation, done: finished, received: () => input?.received() ?? 0 };
  }

  return {
    check: (planId, size) => {
      check(planId, size);
    },
    start,
  };
}
