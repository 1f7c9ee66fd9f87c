/** Errors raised by orchestrated operations. */
import type { Operation } from "../../gen/v1/operations_pb.js";

/** Why an operation was cancelled: by a user's request, or by the daemon (shutdown). */
export class CancelReason {
  constructor(readonly by: "user" | "system") {}
}

/** An operation ended without success. Carries the recorded operation and the cause. */
export class OperationFailedError extends Error {
  override name = "OperationFailedError";
  constructor(
    readonly operation: Operation,
    options: { cause: unknown },
  ) {
    super(operation.displayMessage || "the operation failed", options);
  }
}

/** A hook's onError policy stopped the operation (cancel, fatal, or retry later). */
export class HookVerdictError extends Error {
  override name = "HookVerdictError";
  constructor(
    readonly verdict: { action: "cancel" | "fatal" | "retry"; reason: string; delayMs?: number },
  ) {
    super(
      verdict.action === "cancel"
        ? `cancelled by a hook: ${verdict.reason}`
        : verdict.action === "retry"
          ? `a hook failed: ${verdict.reason}; retrying in ${Math.round((verdict.delayMs ?? 0) / 60_000)} min`
          : `a hook failed: ${verdict.reason}`,
    );
  }
}
