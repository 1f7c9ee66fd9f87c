/**
 * Records audited RPCs (src/server/audit-actions.ts) and failed sign-ins in the audit log,
 * with their outcome. Place it inside the error interceptor and outside authentication: it
 * sees every outcome, including UNAUTHENTICATED and PERMISSION_DENIED, and reads the
 * principal that authentication left in the request context.
 */
import { Code, type Interceptor } from "@connectrpc/connect";
import basicAuth from "basic-auth";
import type { Config } from "../../gen/v1/config_pb.js";
import { describeConfigChanges } from "../audit/config-changes.js";
import type { AuditEventInput, AuditRecorder } from "../audit/types.js";
import { principalKey, principalLabel } from "../auth/principal.js";
import type { Logger } from "../log.js";
import { AUDIT_RULES, type AuditRule } from "./audit-actions.js";
import type { DownloadServed } from "./download-route.js";
import { codeOf, outcomeOf } from "./error-code.js";
import { clientAddress } from "./http-handler.js";
import { clientAddressKey, REQUEST_ID_HEADER, requestIdKey } from "./request-id.js";
import { LOGIN_RPC, sentCredentials } from "./sign-in.js";

export interface AuditInterceptorDeps {
  audit: AuditRecorder;
  /** The current config (to describe what a config change changed). */
  config: () => Config;
  log: Logger;
}

type Request = Parameters<Parameters<Interceptor>[0]>[0];

/** Creates the audit interceptor. A failure to record is logged; it never fails the call. */
export function auditInterceptor(deps: AuditInterceptorDeps): Interceptor {
  const record = (event: AuditEventInput) => {
    try {
      deps.audit.record(event);
    } catch (err) {
      deps.log.warn("audit event not recorded", {
        action: event.action,
        requestId: event.requestId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  };

  return (next) => async (req) => {
    const name = `${req.service.typeName}/${req.method.name}`;
    const rule = AUDIT_RULES.get(name);
    const before = rule?.configChange ? deps.config() : undefined;
    try {
      const res = await next(req);
      if (rule) {
        const message = res.stream ? undefined : res.message;
        const change = before && { before, after: deps.config() };
        record(ruleEvent(req, rule, message, "ok", change));
      }
      return res;
    } catch (err) {
      const unauthenticated = codeOf(err) === Code.Unauthenticated;
      if (unauthenticated && sentCredentials(req)) record(failedSignIn(req, name));
      // A call without credentials did nothing and reveals no one: not worth a row each.
      else if (rule && !unauthenticated) record(ruleEvent(req, rule, undefined, outcomeOf(err)));
      throw err;
    }
  };
}

/** The event of an audited RPC. */
function ruleEvent(
  req: Request,
  rule: AuditRule,
  response: unknown,
  outcome: string,
  change?: { before: Config; after: Config },
): AuditEventInput {
  let described: { target?: string; detail?: string } = {};
  try {
    described = rule.describe(req.stream ? {} : req.message, response);
    if (change) described.detail = describeConfigChanges(change.before, change.after);
  } catch {
    // A description is a nicety; the event is recorded without it.
  }
  let actor = principalLabel(req.contextValues.get(principalKey));
  if (actor === "none") actor = "";
  // Login is public: the signed-in user is who it names.
  if (rule.action === "auth.login" && outcome === "ok") actor = `user:${described.target ?? ""}`;
  return {
    ...requestFields(req),
    actor,
    action: rule.action,
    target: described.target ?? "",
    outcome,
    detail: described.detail ?? "",
  };
}

/** A failed sign-in: the user name tried when there is one, never a password or token. */
function failedSignIn(req: Request, name: string): AuditEventInput {
  const authorization = req.header.get("authorization") ?? "";
  let user = "";
  if (name === LOGIN_RPC && !req.stream) {
    user = String((req.message as { username?: unknown }).username ?? "");
  } else {
    user = basicAuth.parse(authorization)?.name ?? "";
  }
  const scheme = authorization.split(" ")[0]?.toLowerCase() || "login";
  return {
    ...requestFields(req),
    actor: "",
    action: "auth.failed",
    target: user,
    outcome: "unauthenticated",
    detail: `${scheme} credentials for ${name}`,
  };
}

function requestFields(req: Request) {
  return {
    address: req.contextValues.get(clientAddressKey),
    userAgent: req.header.get("user-agent") ?? "",
    requestId: req.contextValues.get(requestIdKey),
  };
}

/**
 * Records each download through a signed link as a "download" event. The link is the
 * credential, so the actor is "link"; the target is the file or archive name.
 */
export function auditDownloads(audit: AuditRecorder, log: Logger) {
  return (served: DownloadServed): void => {
    const header = (name: string) => {
      const value = served.req.headers[name];
      return (Array.isArray(value) ? value[0] : value) ?? "";
    };
    try {
      audit.record({
        actor: "link",
        address: clientAddress(served.req),
        userAgent: header("user-agent"),
        action: "download",
        target: served.filename,
        outcome: served.outcome,
        requestId: header(REQUEST_ID_HEADER),
        detail: served.req.method ?? "",
      });
    } catch (err) {
      log.warn("audit event not recorded", { action: "download", error: String(err) });
    }
  };
}
