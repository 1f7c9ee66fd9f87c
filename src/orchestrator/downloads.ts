/**
 * Downloads of snapshot files and folders through signed links: GetDownloadURL signs
 * (repo, snapshot, path); opening the link streams `restic dump` (a folder as a tar archive).
 */
import { posix } from "node:path";
import type { LinkSigner } from "../auth/link-signer.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { ensureTree } from "./browse.js";
import type { OrchestratorDeps } from "./deps.js";
import { snapshotPath } from "./paths.js";
import { resticRepoOf } from "./repo-target.js";

/** How long a download link works. */
export const DOWNLOAD_TTL_MS = 15 * 60 * 1000;

interface LinkPayload {
  r: string;
  s: string;
  p: string;
}

export interface Download {
  /** Suggested file name (a folder gets ".tar"). */
  filename: string;
  contentType: string;
  stream: NodeJS.ReadableStream;
  done: Promise<void>;
}

export interface Downloads {
  /** A link path (e.g. "/download/<token>/name") for a file or folder of the snapshot of operation `opId`. */
  createLink(opId: bigint, filePath: string): string;
  /** Opens a link token; throws NotFoundError for an invalid, altered or expired one. */
  open(token: string, signal: AbortSignal): Promise<Download>;
}

export function createDownloads(deps: OrchestratorDeps, signer: LinkSigner): Downloads {
  return {
    createLink(opId, filePath) {
      const op = deps.ops.get(opId);
      if (!op) throw new NotFoundError("operation", String(opId));
      const snapshotId =
        op.op.case === "operationIndexSnapshot" ? (op.op.value.snapshot?.id ?? "") : op.snapshotId;
      if (!snapshotId) {
        throw new ValidationError([
          { path: "opId", message: `operation ${opId} has no snapshot to download from` },
        ]);
      }
      const path = snapshotPath(filePath, "filePath");
      const token = signer.sign(
        { r: op.repoId, s: snapshotId, p: path } satisfies LinkPayload,
        DOWNLOAD_TTL_MS,
      );
      const name = path === "/" ? `snapshot-${snapshotId.slice(0, 8)}` : posix.basename(path);
      return `/download/${token}/${encodeURIComponent(name)}`;
    },
    async open(token, signal) {
      const link = signer.verify(token) as LinkPayload | undefined;
      if (!link) throw new NotFoundError("download link", "(invalid or expired)");
      const repo = deps.config.get().repos.find((r) => r.id === link.r);
      if (!repo) throw new NotFoundError("repo", link.r);
      await ensureTree(deps, repo, link.s, signal);
      const node = link.p === "/" ? undefined : deps.trees.getNode(repo.guid, link.s, link.p);
      if (link.p !== "/" && !node) throw new NotFoundError("path", link.p);
      const isFolder = !node || node.type === "dir";
      const { stream, done } = deps.restic.dump(resticRepoOf(repo), link.s, link.p, {
        signal,
        ...(isFolder ? { archive: "tar" as const } : {}),
      });
      const base = link.p === "/" ? `snapshot-${link.s.slice(0, 8)}` : posix.basename(link.p);
      return {
        filename: isFolder ? `${base}.tar` : base,
        contentType: isFolder ? "application/x-tar" : "application/octet-stream",
        stream,
        done,
      };
    },
  };
}
