/**
 * POST /v1/upload/<planId>: a client pushes a file it made itself into the plan's repository
 * as a snapshot (src/orchestrator/uploads.ts does the work; this only reads HTTP).
 *
 * - The body is the file (any content type: `curl --data-binary @db.sql`), or a
 *   multipart/form-data form with exactly one file part (`curl -F file=@db.sql`).
 * - The file name: `?filename=`, else the raw body's `Content-Disposition: attachment;
 *   filename=...` or the form's file part; required.
 * - Credentials as for the API (basic, API key, session token); needs "plans:upload" (admin
 *   and operator users hold it). Failed sign-ins count against the address like the API's, and
 *   every upload is audited.
 * - The answer comes once the snapshot is written: 201 `{operationId, snapshotId, filename,
 *   bytes}`. Errors are JSON `{code, message}` (plus `operationId` once queued): 400 bad file
 *   name or form, 401, 403, 404 unknown plan, 413 over settings.uploadMaxBytes (by
 *   Content-Length before anything is read, or once the streamed body passes it), 429.
 *
 * The upload is queued behind the repository's operations and its body is read only on its
 * turn; until then the client is held by backpressure. There is deliberately no "answer at
 * once" mode (?wait=false): the answer would come before the body was sent, and clients stop
 * sending once they have an answer.
 */
import type { Readable } from "node:stream";
import { Code } from "@connectrpc/connect";
import type { AuthResult } from "../auth/authenticator.js";
import { type Principal, principalLabel } from "../auth/principal.js";
import { NotFoundError, ValidationError } from "../errors.js";
import type { Logger } from "../log.js";
import type { StartedUpload, Uploads } from "../orchestrator/uploads.js";
import { clientAddress, type NodeRequest, type NodeResponse } from "./http-handler.js";
import { refusalOf, UNAUTHENTICATED_MESSAGES } from "./interceptors.js";
import { type RateDecision, rateLimitHeaders, retryAfterSeconds } from "./rate-limit.js";
import { REQUEST_ID_HEADER } from "./request-id.js";
import type { UploadAuditEvent } from "./upload-audit.js";
import { readFormFile } from "./upload-form.js";
import { failure, sendJson, type UploadFailure, uploadFailure } from "./upload-reply.js";
import {
  declaredSize,
  filenameFromDisposition,
  filenameFromQuery,
  isMultipartForm,
  MISSING_FILENAME,
  planIdOfPath,
  UPLOAD_PATH,
} from "./upload-request.js";

export interface UploadRouteDeps {
  uploads: Uploads;
  authenticate(authorization: string | undefined): Promise<AuthResult>;
  /** The failed sign-in budget of a client address; refused while `allowed` is false. */
  signInBudget(address: string): RateDecision;
  /** Hears credentials that were refused (the failed sign-in limit and its alerts). */
  onSignInFailed(address: string, user?: string): void;
  audit(req: NodeRequest, event: UploadAuditEvent): void;
  log: Logger;
}

const ACTION = `POST ${UPLOAD_PATH}`;

/** Serves upload requests; returns false for other paths. */
export function createUploadRoute(deps: UploadRouteDeps) {
  return (req: NodeRequest, res: NodeResponse): boolean => {
    const url = req.url ?? "";
    const planId = planIdOfPath(url.split("?")[0] ?? "");
    if (planId === undefined) return false;
    if (req.method !== "POST") {
      const message = `uploads are sent with POST ${UPLOAD_PATH}/<planId> (curl --data-binary @file or -F file=@file; curl -T sends PUT, so add -X POST)`;
      sendJson(req, res, 405, failureBody(failure(Code.Unimplemented, message)), {
        allow: "POST",
      });
      return true;
    }
    void serve(deps, req, res, planId).catch((err: unknown) => {
      const requestId = headerOf(req, REQUEST_ID_HEADER);
      deps.log.error("upload route failed", { requestId, error: String(err) });
      const message = `internal error (request id ${requestId}); see the daemon's log`;
      sendJson(req, res, 500, failureBody(failure(Code.Internal, message)));
    });
    return true;
  };
}

/** One upload request, from authentication to the answer. */
async function serve(deps: UploadRouteDeps, req: NodeRequest, res: NodeResponse, planId: string) {
  const principal = await authenticated(deps, req, res, planId);
  if (!principal) return;
  const actor = principalLabel(principal);
  const requestId = headerOf(req, REQUEST_ID_HEADER);
  const started = performance.now();
  let filename = filenameFromQuery(req.url ?? "") ?? "";
  let upload: StartedUpload | undefined;
  const finish = (outcome: string, bytes: number) => {
    const operation = upload?.operation.id;
    const detail = `file ${JSON.stringify(filename.slice(0, 120))}, ${bytes} bytes${operation ? `, operation ${operation}` : ""}`;
    deps.audit(req, { actor, action: "upload", target: planId, outcome, detail });
    deps.log.info("upload", {
      plan: planId,
      file: filename,
      bytes,
      outcome,
      principal: actor,
      operation,
      requestId,
      ms: Math.round(performance.now() - started),
    });
  };
  const refusal = refusalOf(principal, "plans:upload", ACTION);
  if (refusal) {
    const denied = failure(Code.PermissionDenied, refusal);
    sendJson(req, res, denied.status, failureBody(denied));
    finish(denied.code, 0);
    return;
  }
  try {
    if (!planId) throw new NotFoundError("plan", "");
    upload = await startUpload(deps.uploads, req, planId, (name) => {
      filename = name;
    });
    const result = await upload.done;
    sendJson(req, res, 201, {
      operationId: String(result.operation.id),
      snapshotId: result.snapshotId,
      filename: result.filename,
      bytes: result.bytes,
    });
    finish("ok", result.bytes);
  } catch (err) {
    const failed = uploadFailure(err, deps.log, requestId);
    if (failed.status === 404 && !upload)
      failed.message = `${failed.message}; check the plan id in the URL (${ACTION}/<planId>)`;
    const body = failureBody(failed);
    if (upload) body.operationId = String(upload.operation.id);
    sendJson(req, res, failed.status, body);
    finish(failed.code, upload?.received() ?? 0);
  }
}

/**
 * Authenticates an upload like an RPC: refused (429) while its address is over the failed
 * sign-in limit; refused credentials count against that limit and are audited. Returns the
 * principal, or undefined once the refusal has been answered.
 */
async function authenticated(
  deps: UploadRouteDeps,
  req: NodeRequest,
  res: NodeResponse,
  planId: string,
): Promise<Principal | undefined> {
  const address = clientAddress(req);
  const budget = deps.signInBudget(address);
  if (!budget.allowed) {
    const message = `too many failed sign-ins from this address - retry in ${retryAfterSeconds(budget)} s`;
    const refused = failure(Code.ResourceExhausted, message);
    sendJson(req, res, refused.status, failureBody(refused), rateLimitHeaders(budget));
    return undefined;
  }
  const authorization = headerOf(req, "authorization") || undefined;
  const auth = await deps.authenticate(authorization);
  if (auth.ok) return auth.principal;
  const headers: Record<string, string> = {
    "www-authenticate": 'Basic realm="restwell", charset="UTF-8"',
  };
  if (auth.reason === "bad-credentials") deps.onSignInFailed(address, auth.user);
  // Like RPCs: a call without credentials reveals no one and is not audited.
  if (authorization) {
    Object.assign(headers, rateLimitHeaders({ ...deps.signInBudget(address), allowed: true }));
    const scheme = authorization.split(" ")[0]?.toLowerCase() ?? "";
    deps.audit(req, {
      actor: "",
      action: "auth.failed",
      target: auth.user ?? "",
      outcome: "unauthenticated",
      detail: `${scheme} credentials for ${ACTION}/${planId}`,
    });
  }
  const refused = failure(Code.Unauthenticated, UNAUTHENTICATED_MESSAGES[auth.reason]);
  sendJson(req, res, refused.status, failureBody(refused), headers);
  return undefined;
}

/**
 * Checks the plan and declared size before reading anything, reads a form up to its file
 * part, and queues the upload. `onFilename` hears the file name as soon as it is known.
 */
async function startUpload(
  uploads: Uploads,
  req: NodeRequest,
  planId: string,
  onFilename: (name: string) => void,
): Promise<StartedUpload> {
  const fromQuery = filenameFromQuery(req.url ?? "");
  if (fromQuery !== undefined) onFilename(fromQuery);
  const size = declaredSize(req.headers["content-length"]);
  uploads.check(planId, size);
  let body: Readable = req;
  let filename = fromQuery;
  if (isMultipartForm(headerOf(req, "content-type"))) {
    const file = await readFormFile(req);
    body = file.body;
    filename ??= file.filename || undefined;
  } else {
    filename ??= filenameFromDisposition(headerOf(req, "content-disposition") || undefined);
  }
  if (filename === undefined)
    throw new ValidationError([{ path: "", message: MISSING_FILENAME }], "invalid upload");
  onFilename(filename);
  return uploads.start(planId, { filename, body, size });
}

function failureBody(f: UploadFailure): { code: string; message: string; operationId?: string } {
  return { code: f.code, message: f.message };
}

function headerOf(req: NodeRequest, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}
