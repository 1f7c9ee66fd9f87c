/**
 * Which RPCs the audit log records, under which action, and what it notes about each: the
 * target (a plan, repo, snapshot, operation or key id) and a coarse detail. Read-only RPCs
 * are not recorded. Never a secret: no passwords, tokens, hashes or command arguments.
 */
import {
  type DescMessage,
  type DescMethodUnary,
  type MessageShape,
  toJson,
} from "@bufbuild/protobuf";
import { ApiKeys } from "../../gen/v1/access_pb.js";
import { Authentication } from "../../gen/v1/authentication_pb.js";
import {
  Backrest,
  DoRepoTaskRequest_Task,
  OpSelectorSchema,
  TestRepoResponse_Result,
} from "../../gen/v1/service_pb.js";

/** What an audited call noted. */
export interface Described {
  target?: string;
  detail?: string;
}

export interface AuditRule {
  action: string;
  /** The call changes the config: its detail lists what changed (see describeConfigChanges). */
  configChange: boolean;
  /** Target and detail from the request, and the response when the call succeeded. */
  describe(req: unknown, res: unknown): Described;
}

function on<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  action: string,
  describe: (req: MessageShape<I>, res: MessageShape<O> | undefined) => Described = () => ({}),
  configChange = false,
): [string, AuditRule] {
  return [
    `${method.parent.typeName}/${method.name}`,
    { action, configChange, describe: describe as AuditRule["describe"] },
  ];
}

const ids = (list: readonly string[]) => list.join(" ");
const B = Backrest.method;

/** The audited RPCs, keyed by "<service type name>/<method name>". */
export const AUDIT_RULES: ReadonlyMap<string, AuditRule> = new Map([
  on(B.setConfig, "config.set", () => ({}), true),
  on(B.addRepo, "repo.add", (req) => ({ target: req.repo?.id }), true),
  on(B.removeRepo, "repo.remove", (req) => ({ target: req.value }), true),
  // Saves nothing, but runs restic with the request's location, env and flags. Only the
  // outcome is noted: the location may carry credentials.
  on(B.testRepo, "repo.test", (req, res) => ({
    target: req.repo?.id,
    detail: res
      ? (TestRepoResponse_Result[res.result] ?? "").replace(/^RESULT_/, "").toLowerCase()
      : "",
  })),
  on(B.setPaused, "schedule.pause", (req) => ({
    target: req.planId || "all plans",
    detail: req.paused ? "paused" : "resumed",
  })),
  on(B.rotateRepoPassword, "repo.rotate-password", (req) => ({ target: req.repoId })),
  on(B.backup, "backup.start", (req, res) => ({
    target: req.value,
    detail: [req.dryRun ? "dry run" : "", res ? `operation ${res.id}` : ""]
      .filter(Boolean)
      .join(", "),
  })),
  on(B.startBackup, "backup.start", (req, res) => ({
    target: req.value,
    detail: [req.dryRun ? "dry run" : "", res ? `operation ${res.operationId}` : ""]
      .filter(Boolean)
      .join(", "),
  })),
  on(B.restore, "restore.start", (req, res) => ({
    target: req.snapshotId,
    detail: `repo ${req.repoId || "-"}, plan ${req.planId || "-"}, path ${req.path || "/"}, into ${req.target || "(default)"}${res ? `, operation ${res.operationId}` : ""}`,
  })),
  on(B.restoreDatabase, "restore.start", (req, res) => ({
    target: req.snapshotId,
    detail: `repo ${req.repoId || "-"}, plan ${req.planId || "-"}, database source ${req.databaseName || "-"}, into ${req.targetDatabase || "(the source's database)"}${req.replace ? " (replace)" : ""}${res ? `, operation ${res.operationId}` : ""}`,
  })),
  on(B.forget, "snapshot.forget", (req) => ({
    target: req.snapshotId || (req.planId ? `plan ${req.planId}` : ""),
    detail: `repo ${req.repoId}`,
  })),
  on(B.doRepoTask, "repo.task", (req) => ({
    target: req.repoId,
    detail: DoRepoTaskRequest_Task[req.task] ?? String(req.task),
  })),
  // Only the restic command's name: its arguments may carry anything.
  on(B.runCommand, "repo.command", (req) => ({
    target: req.repoId,
    detail: (req.args[0] ?? req.command.trim().split(/\s+/)[0] ?? "").slice(0, 40),
  })),
  on(B.cancel, "operation.cancel", (req) => ({ target: String(req.operationId || req.value) })),
  on(B.clearHistory, "history.clear", (req) => ({
    detail: `${req.onlyFailed ? "failed only, " : ""}selector ${JSON.stringify(req.selector ? toJson(OpSelectorSchema, req.selector) : {})}`,
  })),
  on(B.recycleSnapshots, "snapshot.recycle", (req) => ({
    target: req.repoId,
    detail: ids(req.snapshotIds),
  })),
  on(B.restoreFromRecycleBin, "snapshot.unrecycle", (req) => ({
    target: req.repoId,
    detail: ids(req.snapshotIds),
  })),
  on(B.purgeRecycleBin, "snapshot.purge", (req) => ({
    target: req.repoId,
    detail: `${ids(req.snapshotIds) || "all"}${req.prune ? ", prune" : ""}`,
  })),
  on(B.getDownloadURL, "download.link", (req) => ({
    target: `operation ${req.opId}`,
    detail: req.filePath,
  })),
  // The request carries the admin's password: nothing of it is noted.
  on(B.getRecoveryKit, "recovery-kit.download"),
  on(ApiKeys.method.createApiKey, "key.create", (req, res) => ({
    target: res?.key?.id ?? "",
    detail: `name "${req.name}", permissions ${req.permissions.join(" ") || "(none)"}`,
  })),
  on(ApiKeys.method.updateApiKey, "key.update", (req) => ({
    target: req.id,
    detail: req.disabled ? "disabled" : "enabled",
  })),
  on(ApiKeys.method.deleteApiKey, "key.delete", (req) => ({ target: req.id })),
  on(Authentication.method.login, "auth.login", (req) => ({ target: req.username })),
]);
