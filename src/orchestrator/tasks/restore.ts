/**
 * Restoring a path of a snapshot into a target folder, with progress. restic 0.16+ reports
 * progress itself; for 0.14 the bytes written so far are measured in the target folder
 * against the totals from the snapshot's tree index.
 */

import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { RestoreProgressEntrySchema } from "../../../gen/v1/restic_pb.js";
import type { RestoreProgress } from "../../restic/types.js";
import { ensureTree } from "../browse.js";
import type { TaskContext } from "../runner.js";

export interface RestoreInput {
  snapshotId: string;
  /** Normalized absolute path in the snapshot ("/" = everything). */
  path: string;
  /** Normalized absolute target folder (missing or empty). */
  target: string;
}

export function restoreTask(input: RestoreInput) {
  return async (ctx: TaskContext): Promise<void> => {
    if (ctx.op.op.case !== "operationRestore") return;
    const payload = ctx.op.op.value;
    await ensureTree(ctx.deps, ctx.repo, input.snapshotId, ctx.signal);
    const totals = ctx.deps.trees.totals(ctx.repo.guid, input.snapshotId, input.path);
    const started = ctx.deps.clock.now();
    let reported = false;
    const show = (p: Partial<RestoreProgress>) => {
      payload.lastStatus = create(RestoreProgressEntrySchema, {
        messageType: "status",
        totalFiles: BigInt(p.totalFiles ?? totals.files),
        totalBytes: BigInt(p.totalBytes ?? totals.bytes),
        filesRestored: BigInt(p.filesRestored ?? 0),
        bytesRestored: BigInt(p.bytesRestored ?? 0),
        percentDone: p.percentDone ?? 0,
        secondsElapsed: (ctx.deps.clock.now() - started) / 1000,
      });
      ctx.progress();
    };
    show({});
    const stopWatching = watchFolder(input.target, (files, bytes) => {
      if (!reported) {
        show({
          filesRestored: files,
          bytesRestored: bytes,
          percentDone: totals.bytes ? Math.min(1, bytes / totals.bytes) : 0,
        });
      }
    });
    const log = ctx.log();
    try {
      const result = await ctx.deps.restic.restore(
        ctx.target,
        {
          snapshotId: input.snapshotId,
          target: input.target,
          include: input.path === "/" ? [] : [input.path],
        },
        {
          signal: ctx.signal,
          onOutput: (line) => log.write(`${line}\n`),
          onProgress: (p) => {
            reported = true;
            show(p);
          },
        },
      );
      const done = await measure(input.target);
      show({
        ...result.summary,
        filesRestored: done.files,
        bytesRestored: done.bytes,
        percentDone: 1,
      });
      if (payload.lastStatus) payload.lastStatus.messageType = "summary";
    } finally {
      stopWatching();
    }
  };
}

/** Calls onSize with the files and bytes under `dir` about once a second, less often when walking is slow. */
function watchFolder(dir: string, onSize: (files: number, bytes: number) => void): () => void {
  let stopped = false;
  let delay = 1000;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const t0 = Date.now();
    const size = await measure(dir).catch(() => undefined);
    if (stopped) return;
    if (size) onSize(size.files, size.bytes);
    if (Date.now() - t0 > delay / 5) delay = Math.min(delay * 2, 30_000);
    timer = setTimeout(tick, delay);
  };
  timer = setTimeout(tick, delay);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Regular files and their bytes under `dir` (missing: zero). */
async function measure(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const s = await stat(join(e.parentPath ?? e.path, e.name)).catch(() => undefined);
    if (!s) continue;
    files += 1;
    bytes += s.size;
  }
  return { files, bytes };
}
