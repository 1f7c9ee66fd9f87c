/** Interceptors applied to every RPC: authentication and permissions, error mapping, access log. */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { RequestInfoSchema } from "../../gen/v1/errors_pb.js";
import { toConnectError } from "../api/errors.js";
import type { Authenticator, AuthFailure } from "../auth/authenticator.js";
import { type Requirement, requirementOf } from "../auth/permissions.js";
import { holds, type Principal, principalKey, principalLabel } from "../auth/principal.js";
import type { Logger } from "../log.js";
import { clientAddressKey, requestIdKey } from "./request-id.js";

/** What a client whose credentials were refused is told, by reason (RPCs and plain routes alike). */
export const UNAUTHENTICATED_MESSAGES: Record<AuthFailure, string> = {
  "missing-credentials":
    "authentication required: send HTTP basic credentials (curl -u user:pass) or an API key (Authorization: Bearer rw_...)",
  "bad-credentials": "wrong username or password, or an unknown API key or session",
  expired: "the API key or session has expired: create a new key or sign in again",
  disabled: "the API key is disabled: enable it or use another key",
};

/**
 * Authenticates every RPC, stores the principal in the request context and enforces the
 * RPC's requirement from the permission table (src/auth/permissions.ts). Unauthenticated
 * calls are UNAUTHENTICATED (HTTP 401) with a WWW-Authenticate challenge; a principal
 * without the permission gets PERMISSION_DENIED (HTTP 403). An RPC missing from the table
 * is refused.
 */
export function authInterceptor(
  authn: Authenticator,
  onFailure?: (address: string, user?: string) => void,
): Interceptor {
  return (next) => async (req) => {
    const method = `${req.service.typeName}/${req.method.name}`;
    const requirement = requirementOf(req.service.typeName, req.method.name);
    if (requirement === undefined)
      throw new ConnectError(
        `${method} has no permission rule; it is refused`,
        Code.PermissionDenied,
      );
    if (requirement === "public") return await next(req);

    const result = await authn.authenticate(req.header.get("authorization"));
    if (!result.ok) {
      if (result.reason === "bad-credentials")
        onFailure?.(req.contextValues.get(clientAddressKey), result.user);
      throw new ConnectError(UNAUTHENTICATED_MESSAGES[result.reason], Code.Unauthenticated, {
        "WWW-Authenticate": 'Basic realm="restwell", charset="UTF-8"',
      });
    }
    const principal = result.principal;
    req.contextValues.set(principalKey, principal);
    const refusal = refusalOf(principal, requirement, method);
    if (refusal) throw new ConnectError(refusal, Code.PermissionDenied);
    return await next(req);
  };
}

/** Why the principal may not call the method, or undefined when it may. */
export function refusalOf(
  principal: Principal,
  requirement: Exclude<Requirement, "public">,
  method: string,
): string | undefined {
  if (requirement === "authenticated") return undefined;
  const who =
    principal.kind === "user"
      ? `user "${principal.name}" (${principal.role})`
      : principal.kind === "key"
        ? `API key "${principal.name}"`
        : "an anonymous caller";
  if (requirement === "admin-user") {
    if (principal.kind === "anonymous")
      return `${method} is for admin users: turn authentication on (auth.disabled: false), add an admin user and sign in with their password`;
    return principal.kind === "user" && principal.role === "admin"
      ? undefined
      : `${method} is for admin users signed in with their password; ${who} may not call it`;
  }
  return holds(principal, requirement)
    ? undefined
    : `${who} may not call ${method}: it needs the "${requirement}" permission`;
}

/** Maps domain errors of unary and streaming handlers to Connect errors (src/api/errors.ts). */
export function errorInterceptor(log: Logger): Interceptor {
  return (next) => async (req) => {
    const requestId = req.contextValues.get(requestIdKey);
    try {
      const res = await next(req);
      if (!res.stream) return res;
      return { ...res, message: mapStreamErrors(res.message, log, requestId) };
    } catch (err) {
      throw withRequestInfo(toConnectError(err, log, requestId), requestId);
    }
  };
}

/** Adds the request id to an error's details (once), so a client can quote it. */
function withRequestInfo(err: ConnectError, requestId: string): ConnectError {
  const has = err.details.some(
    (d) => ("desc" in d ? d.desc.typeName : d.type) === RequestInfoSchema.typeName,
  );
  if (requestId && !has) err.details.push({ desc: RequestInfoSchema, value: { requestId } });
  return err;
}

async function* mapStreamErrors<T>(stream: AsyncIterable<T>, log: Logger, requestId: string) {
  try {
    yield* stream;
  } catch (err) {
    throw withRequestInfo(toConnectError(err, log, requestId), requestId);
  }
}

/**
 * Writes one log line per RPC: method, outcome code, duration, principal and request id, so a
 * client's X-Request-Id leads to the daemon's line for that request.
 */
export function accessLogInterceptor(log: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    let code = "ok";
    try {
      return await next(req);
    } catch (err) {
      code = err instanceof ConnectError ? Code[err.code] : "unknown";
      throw err;
    } finally {
      log.info("rpc", {
        method: `${req.service.typeName}/${req.method.name}`,
        ms: Math.round(performance.now() - started),
        principal: principalLabel(req.contextValues.get(principalKey)),
        requestId: req.contextValues.get(requestIdKey),
        code,
      });
    }
  };
}
