/**
 * Answers of the upload route: JSON bodies (`{code, message}` for errors, with Connect's code
 * names), the status of each outcome, and closing a request whose body was left unread.
 */
import { constants as http2 } from "node:http2";
import { Code } from "@connectrpc/connect";
import { codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import { toConnectError } from "../api/errors.js";
import type { Logger } from "../log.js";
import { OperationFailedError } from "../orchestrator/errors.js";
import type { NodeRequest, NodeResponse } from "./http-handler.js";

/** An error answer: the HTTP status and the JSON body. */
export interface UploadFailure {
  status: number;
  /** Connect's name of the code, e.g. "invalid_argument". */
  code: string;
  message: string;
}

/** Connect's wire name of a code, e.g. "resource_exhausted". */
export function codeName(code: Code): string {
  return (Code[code] ?? "unknown").replace(/(?<=[a-z])(?=[A-Z])/g, "_").toLowerCase();
}

/** A failure with Connect's status for `code`. */
export function failure(code: Code, message: string): UploadFailure {
  return { status: codeToHttpStatus(code), code: codeName(code), message };
}

/**
 * The answer to an upload that failed with `err` (thrown before queueing, or the operation's
 * OperationFailedError): 413 for a body over the limit, 400 for a bad file name or form, 499
 * (canceled) for an interrupted body, else the status of the error's Connect code. Unknown
 * errors are logged once (with the request id) and answered with a generic message.
 */
export function uploadFailure(err: unknown, log: Logger, requestId: string): UploadFailure {
  const cause = err instanceof OperationFailedError ? err.cause : err;
  const message = err instanceof Error ? err.message : String(err);
  switch (cause instanceof Error ? cause.name : "") {
    case "UploadTooLargeError":
      return { status: 413, code: codeName(Code.ResourceExhausted), message };
    case "UploadInterruptedError":
      return failure(Code.Canceled, message);
    case "ValidationError":
      return failure(Code.InvalidArgument, message);
  }
  const mapped = toConnectError(err, log, requestId);
  return failure(mapped.code, mapped.rawMessage);
}

/** How long, and how much, of an unread body is discarded after an early answer before closing. */
export const LINGER_MS = 5_000;
export const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * Writes a JSON answer. When the request's body has not been received in full (an early
 * refusal, a failed upload), the rest is not stored anywhere: over HTTP/2 the stream is reset
 * with NO_ERROR once the answer is sent (RFC 9113, 8.1); over HTTP/1.1 the body is discarded
 * for at most LINGER_MS / LINGER_BYTES and then the connection is closed. Closing at once
 * would have the kernel reset the connection over the unread bytes, and a client still
 * sending could lose the answer it was sent (a "lingering close", as web servers do).
 */
export function sendJson(
  req: NodeRequest,
  res: NodeResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(`${JSON.stringify(body)}\n`);
  if (req.complete) return;
  res.once("finish", () => {
    if (req.complete) return;
    if ("stream" in res) res.stream.close(http2.NGHTTP2_NO_ERROR);
    else lingerThenClose(req);
  });
}

/** Discards what is left of the body, bounded, then closes the connection. */
function lingerThenClose(req: NodeRequest): void {
  let discarded = 0;
  const close = () => {
    clearTimeout(timer);
    req.socket?.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  req.unpipe();
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) close();
  });
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
  req.resume();
}
