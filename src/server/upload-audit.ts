/**
 * Records uploads (POST /v1/upload/<planId>) in the audit log: who, which plan, the file name,
 * the bytes received and how it ended - never the content. Failed sign-ins on the route are
 * recorded as "auth.failed", like those of RPCs.
 */
import type { AuditRecorder } from "../audit/types.js";
import type { Logger } from "../log.js";
import { clientAddress, type NodeRequest } from "./http-handler.js";
import { REQUEST_ID_HEADER } from "./request-id.js";

/** What the upload route notes about a request; the client's address, agent and request id are added. */
export interface UploadAuditEvent {
  /** "user:alice", "key:<id>", "anonymous", or "" before authentication. */
  actor: string;
  action: "upload" | "auth.failed";
  /** The plan id (an upload), or the user name tried (a failed sign-in). */
  target: string;
  /** "ok", or the lower snake case name of the error code it ended with. */
  outcome: string;
  detail: string;
}

/** An audit recorder for the upload route. A failure to record is logged; it never fails the upload. */
export function auditUploads(audit: AuditRecorder, log: Logger) {
  return (req: NodeRequest, event: UploadAuditEvent): void => {
    const header = (name: string) => {
      const value = req.headers[name];
      return (Array.isArray(value) ? value[0] : value) ?? "";
    };
    try {
      audit.record({
        ...event,
        address: clientAddress(req),
        userAgent: header("user-agent"),
        requestId: header(REQUEST_ID_HEADER),
      });
    } catch (err) {
      log.warn("audit event not recorded", { action: event.action, error: String(err) });
    }
  };
}
