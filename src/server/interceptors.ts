/** Interceptors applied to every RPC: authentication and error mapping. */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { toConnectError } from "../api/errors.js";
import type { Authenticator } from "../auth/authenticator.js";
import { principalKey, principalLabel } from "../auth/principal.js";
import type { Logger } from "../log.js";
import { clientAddressKey, requestIdKey } from "./request-id.js";

/**
 * Authenticates every RPC and stores the principal in the request context.
 * Failures are UNAUTHENTICATED (HTTP 401) with a WWW-Authenticate challenge.
 */
export function authInterceptor(
  authn: Authenticator,
  onFailure?: (address: string) => void,
): Interceptor {
  return (next) => async (req) => {
    const result = await authn.authenticate(req.header.get("authorization"));
    if (!result.ok) {
      if (result.reason === "bad-credentials") onFailure?.(req.contextValues.get(clientAddressKey));
      const message =
        result.reason === "missing-credentials"
          ? "authentication required: send HTTP basic credentials (curl -u user:pass)"
          : "wrong username or password";
      throw new ConnectError(message, Code.Unauthenticated, {
        "WWW-Authenticate": 'Basic realm="restwell", charset="UTF-8"',
      });
    }
    req.contextValues.set(principalKey, result.principal);
    return next(req);
  };
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
      throw toConnectError(err, log, requestId);
    }
  };
}

async function* mapStreamErrors<T>(stream: AsyncIterable<T>, log: Logger, requestId: string) {
  try {
    yield* stream;
  } catch (err) {
    throw toConnectError(err, log, requestId);
  }
}

/**
 * Writes one log line per RPC: method, outcome code, duration, principal and request id, so a
 * client's X-Request-Id leads to the daemon's line for that request.
 */
export function accessLogInterceptor(log: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const fields = () => ({
      method: `${req.service.typeName}/${req.method.name}`,
      ms: Math.round(performance.now() - started),
      principal: principalLabel(req.contextValues.get(principalKey)),
      requestId: req.contextValues.get(requestIdKey),
    });
    try {
      const res = await next(req);
      log.info("rpc", { ...fields(), code: "ok" });
      return res;
    } catch (err) {
      log.info("rpc", {
        ...fields(),
        code: err instanceof ConnectError ? Code[err.code] : "unknown",
      });
      throw err;
    }
  };
}
