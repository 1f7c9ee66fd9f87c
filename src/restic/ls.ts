/** `restic ls --json`: its argv and the streaming of its nodes, one line at a time. */
import { badOutputError, snapshotNotFoundError } from "./classify.js";
import { anySignal, type InvokeContext, invoke } from "./invoke.js";
import { type JsonObject, numberField, parseJsonObject, stringField } from "./json-lines.js";
import { toSnapshot } from "./snapshots.js";
import type { CallOptions, LsNode, ResticRepo, Snapshot } from "./types.js";

/** Options of one listing. */
export type LsCallOptions = CallOptions & {
  path?: string;
  /** With `path`: list its whole subtree, not only its direct children. */
  recursive?: boolean;
  onNode: (node: LsNode) => void;
};

/**
 * The argv for `ls --json [--recursive] -- <snapshot> [path]`. With a path, restic lists
 * that path and, for a folder, its direct children (its subtree with `recursive`); a path
 * that is not in the snapshot lists nothing and is not an error (restic 0.14).
 */
export function lsArgs(snapshotId: string, path?: string, recursive = false): string[] {
  const withPath = path !== undefined && path !== "";
  return [
    "ls",
    "--json",
    ...(withPath && recursive ? ["--recursive"] : []),
    "--",
    snapshotId,
    ...(withPath ? [path] : []),
  ];
}

/** Maps one node line. restic leaves out `size` for folders and `linktarget` before 0.15. */
export function toLsNode(msg: JsonObject): LsNode {
  return {
    name: stringField(msg, "name"),
    type: stringField(msg, "type"),
    path: stringField(msg, "path"),
    uid: numberField(msg, "uid"),
    gid: numberField(msg, "gid"),
    size: numberField(msg, "size"),
    mode: numberField(msg, "mode"),
    mtime: stringField(msg, "mtime"),
    atime: stringField(msg, "atime"),
    ctime: stringField(msg, "ctime"),
    linkTarget: stringField(msg, "linktarget"),
  };
}

/** Reads `ls --json` output line by line. */
export interface LsReader {
  onLine(line: string): void;
  /** The snapshot line, once seen. */
  readonly snapshot: Snapshot | undefined;
  /** What `onNode` threw, if it did; no node is delivered after that. */
  readonly callbackError: unknown;
}

/**
 * Creates a reader that hands each node to `onNode` as soon as its line arrives and keeps
 * nothing else but the snapshot. restic 0.14 marks lines with `struct_type`, newer restic
 * also with `message_type`; other lines are ignored. When `onNode` throws, `onStop` is
 * called once so the listing can be ended: a consumer that cannot take nodes must not
 * leave restic walking millions of them.
 */
export function createLsReader(onNode: (node: LsNode) => void, onStop: () => void): LsReader {
  let snapshot: Snapshot | undefined;
  let failed = false;
  let callbackError: unknown;
  return {
    onLine(line) {
      if (failed) return;
      const msg = parseJsonObject(line);
      if (!msg) return;
      const type = msg.message_type ?? msg.struct_type;
      if (type === "snapshot") {
        snapshot ??= toSnapshot(msg);
      } else if (type === "node") {
        try {
          onNode(toLsNode(msg));
        } catch (error) {
          failed = true;
          callbackError = error;
          onStop();
        }
      }
    },
    get snapshot() {
      return snapshot;
    },
    get callbackError() {
      return callbackError;
    },
  };
}

/**
 * Runs `restic ls` and streams its nodes. Rejects with what `onNode` threw (after stopping
 * restic), ResticCancelledError on abort, or ResticError.
 */
export async function runLs(
  ctx: InvokeContext,
  repo: ResticRepo,
  snapshotId: string,
  opts: LsCallOptions,
): Promise<Snapshot> {
  const stop = new AbortController();
  const reader = createLsReader(opts.onNode, () => stop.abort(new Error("onNode threw")));
  let invoked: Awaited<ReturnType<typeof invoke>>;
  try {
    invoked = await invoke(ctx, repo, {
      subcommand: "ls",
      args: lsArgs(snapshotId, opts.path, opts.recursive),
      signal: anySignal(opts.signal, stop.signal),
      onStdoutLine: reader.onLine,
    });
  } catch (error) {
    if (stop.signal.aborted) throw reader.callbackError;
    throw error;
  }
  if (stop.signal.aborted) throw reader.callbackError;
  if (!reader.snapshot) {
    throw (
      snapshotNotFoundError(invoked.run) ?? badOutputError(invoked.run, "printed no snapshot line")
    );
  }
  return reader.snapshot;
}
