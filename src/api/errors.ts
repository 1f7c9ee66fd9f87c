/**
 * The API edge's single mapping from domain errors to Connect codes. Nothing else builds
 * ConnectError. Unknown errors become Internal with a generic message; their cause is
 * logged once, with the request id.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { OperationSchema } from "../../gen/v1/operations_pb.js";
import { diskFullMessage } from "../errors.js";
import type { Logger } from "../log.js";
import { CancelReason, OperationFailedError } from "../orchestrator/errors.js";

/** Restic failure kinds that mean the repository is not usable as configured. */
const PRECONDITION_KINDS = new Set(["wrong-password", "repo-not-found", "locked", "repo-exists"]);

/** Maps any error thrown below the API edge to a ConnectError. */
export function toConnectError(err: unknown, log: Logger, requestId?: string): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof OperationFailedError) {
    const details = [{ desc: OperationSchema, value: err.operation }];
    return new ConnectError(capMessage(err.message), operationCode(err), undefined, details, err);
  }
  if (err instanceof Error) {
    const message = capMessage(err.message);
    switch (err.name) {
      case "NotFoundError":
        return new ConnectError(message, Code.NotFound);
      case "ValidationError":
      case "ConfigLoadError":
        return new ConnectError(message, Code.InvalidArgument);
      case "ConflictError":
      // A database restore's target holds tables, or a database cannot be reached as configured.
      case "TargetNotEmptyError":
      case "DatabaseToolError":
      case "MissingToolError":
      case "DatabaseSourceError":
        return new ConnectError(message, Code.FailedPrecondition);
      case "UnauthenticatedError":
        return new ConnectError(message, Code.Unauthenticated);
      case "PermissionDeniedError":
        return new ConnectError(message, Code.PermissionDenied);
      case "UnavailableError":
        return new ConnectError(message, Code.Unavailable);
      case "SlowConsumerError":
        return new ConnectError(
          "the event stream fell behind; reconnect to resync",
          Code.ResourceExhausted,
        );
      case "ResticError":
        return new ConnectError(message, resticCode(err));
    }
  }
  const full = diskFullMessage(err);
  if (full) {
    log.warn("a write failed: the disk is full", { requestId, error: String(err) });
    return new ConnectError(full, Code.ResourceExhausted);
  }
  log.error("internal error", {
    requestId,
    error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    stack: err instanceof Error ? err.stack?.split("\n").slice(1, 4).join(" | ") : undefined,
  });
  const ref = requestId ? ` (request id ${requestId})` : "";
  return new ConnectError(`internal error${ref}; see the daemon's log`, Code.Internal);
}

/**
 * Longest message sent to a client: messages that echo a client's input stay readable and fit
 * an HTTP/2 trailer (gRPC sends the message as one).
 */
const MAX_MESSAGE_CHARS = 2_000;

function capMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_MESSAGE_CHARS)}… (${message.length - MAX_MESSAGE_CHARS} more characters)`;
}

function resticCode(err: Error): Code {
  const kind = (err as { kind?: string }).kind ?? "";
  if (kind === "snapshot-not-found") return Code.NotFound;
  // The backend is down or slow: worth retrying later.
  if (kind === "backend-unreachable") return Code.Unavailable;
  if (kind === "backend-unauthorized") return Code.FailedPrecondition;
  return PRECONDITION_KINDS.has(kind) ? Code.FailedPrecondition : Code.Unknown;
}

function operationCode(err: OperationFailedError): Code {
  const cause = err.cause;
  if (cause instanceof CancelReason) return cause.by === "user" ? Code.Canceled : Code.Unavailable;
  if (cause instanceof Error) {
    if (cause.name === "ResticCancelledError") {
      const reason = (cause as { reason?: unknown }).reason;
      return reason instanceof CancelReason && reason.by === "user"
        ? Code.Canceled
        : Code.Unavailable;
    }
    if (cause.name === "ResticError") return resticCode(cause);
    if (cause.name === "NotFoundError") return Code.NotFound;
  }
  return Code.Unknown;
}
