/** Recording how a failed or cancelled operation ended. */
import type { Operation } from "../../../gen/v1/operations_pb.js";
import { OperationStatus } from "../../../gen/v1/operations_pb.js";
import { diskFullMessage } from "../../errors.js";
import type { OrchestratorDeps } from "../deps.js";
import { CancelReason, HookVerdictError } from "../errors.js";
import { TimeLimitReason, timeoutMessage } from "../time-limit.js";

/**
 * Marks `op` as failed or cancelled (depending on `err` and why `signal` aborted: a user
 * cancel, a shutdown, or the operation's time limit, which is a failure) and stores it.
 * Errors without a known shape get a generic message; their details go to the log only.
 */
export function recordFailure(
  deps: OrchestratorDeps,
  op: Operation,
  err: unknown,
  signal: AbortSignal,
): Operation {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof CancelReason) {
    op.status =
      reason.by === "user"
        ? OperationStatus.STATUS_USER_CANCELLED
        : OperationStatus.STATUS_SYSTEM_CANCELLED;
    op.displayMessage =
      reason.by === "user"
        ? "cancelled by a user"
        : "cancelled because the daemon is shutting down";
  } else if (reason instanceof TimeLimitReason) {
    // Ran out of time: a failure of the operation, not a cancel by anyone.
    op.status = OperationStatus.STATUS_ERROR;
    op.displayMessage = timeoutMessage(reason, err);
    deps.log.warn("operation timed out", {
      op: op.id,
      plan: op.planId,
      repo: op.repoId,
      limitMs: reason.limitMs,
    });
  } else if (err instanceof HookVerdictError && err.verdict.action === "cancel") {
    op.status = OperationStatus.STATUS_SYSTEM_CANCELLED;
    op.displayMessage = err.message;
  } else {
    op.status = OperationStatus.STATUS_ERROR;
    op.displayMessage = describe(err);
    deps.log.warn("operation failed", {
      op: op.id,
      plan: op.planId,
      repo: op.repoId,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
  }
  op.unixTimeEndMs = BigInt(deps.clock.now());
  const [stored] = deps.ops.update(op);
  if (stored) op.modno = stored.modno;
  return op;
}

/** Error names whose messages are written for users (and already free of secrets). */
const USER_FACING = new Set([
  "ResticError",
  "NotFoundError",
  "ValidationError",
  "ConflictError",
  "HookVerdictError",
  "UploadTooLargeError",
  "UploadInterruptedError",
  "DatabaseToolError",
  "MissingToolError",
  "DatabaseSourceError",
  "TargetNotEmptyError",
]);

function describe(err: unknown): string {
  if (err instanceof Error && USER_FACING.has(err.name)) return err.message;
  const full = diskFullMessage(err);
  if (full) return full;
  return "internal error while running the operation; see the daemon's log";
}
