/**
 * Rate limits of the API: requests a minute per principal (a user or API key; the client
 * address when there is none), and failed sign-ins a minute per client address. Limits are
 * read from the config's settings on every request, so a changed limit applies at once.
 *
 * Which bucket the X-RateLimit-* headers of a response report:
 * - an authenticated RPC: the principal's requests (with authentication disabled, the address's);
 * - an RPC refused for failed sign-ins (429), or whose credentials were rejected (401): the
 *   address's failed sign-ins;
 * - anything else (health, metrics, downloads, static files, 404s, RPCs without credentials):
 *   the address's requests.
 */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Settings } from "../../gen/v1/config_pb.js";
import { type Principal, principalKey, principalLabel } from "../auth/principal.js";
import { codeOf } from "./error-code.js";
import { httpHeadersKey } from "./http-handler.js";
import {
  createRateLimiter,
  type RateDecision,
  rateLimitHeaders,
  retryAfterSeconds,
} from "./rate-limit.js";
import { clientAddressKey } from "./request-id.js";
import { sentCredentials } from "./sign-in.js";

// Messages avoid ; , and : which gRPC clients may show percent-encoded (grpc-message).

/** Defaults for unset (zero) settings. */
export const RATE_LIMIT_DEFAULTS = { requestsPerMinute: 600, authFailuresPerMinute: 5 };

export interface RequestLimits {
  /** Counts a request of `key` (see limitKey); undefined when request limits are off. */
  request(key: string): RateDecision | undefined;
  /** The request budget of `key` without counting; undefined when request limits are off. */
  peekRequest(key: string): RateDecision | undefined;
  /** Records a failed sign-in from `address`. */
  authFailed(address: string): void;
  /** The failed sign-in budget of `address`; `allowed` is false while it is refused. */
  authFailures(address: string): RateDecision;
}

/** Creates the limits, reading the current settings through `settings` on every call. */
export function createRequestLimits(opts: {
  settings: () => Settings | undefined;
  now: () => number;
  maxKeys?: number;
}): RequestLimits {
  const requests = createRateLimiter({ now: opts.now, maxKeys: opts.maxKeys });
  const failures = createRateLimiter({ now: opts.now, maxKeys: opts.maxKeys });
  const requestLimit = (): number | undefined => {
    const n = opts.settings()?.rateLimitPerMinute ?? 0;
    if (n < 0) return undefined;
    return n || RATE_LIMIT_DEFAULTS.requestsPerMinute;
  };
  const failureLimit = () =>
    opts.settings()?.authFailuresPerMinute || RATE_LIMIT_DEFAULTS.authFailuresPerMinute;
  return {
    request(key) {
      const limit = requestLimit();
      return limit === undefined ? undefined : requests.take(key, limit);
    },
    peekRequest(key) {
      const limit = requestLimit();
      return limit === undefined ? undefined : requests.peek(key, limit);
    },
    authFailed(address) {
      failures.take(address, Number.MAX_SAFE_INTEGER);
    },
    authFailures(address) {
      return failures.peek(address, failureLimit());
    },
  };
}

/** The request bucket of a caller: its principal, or its address when it has none of its own. */
export function limitKey(principal: Principal | undefined, address: string): string {
  if (principal && principal.kind !== "anonymous") return principalLabel(principal);
  return addressKey(address);
}

/** The request bucket of a client address. */
export function addressKey(address: string): string {
  return `address:${address}`;
}

/**
 * Counts every RPC against its principal's limit and refuses it over the limit with
 * RESOURCE_EXHAUSTED (HTTP 429 over Connect) and Retry-After. Place it after authentication.
 */
export function requestRateLimitInterceptor(limits: RequestLimits): Interceptor {
  return (next) => async (req) => {
    const key = limitKey(
      req.contextValues.get(principalKey),
      req.contextValues.get(clientAddressKey),
    );
    const decision = limits.request(key);
    if (decision) {
      const headers = rateLimitHeaders(decision);
      req.contextValues.get(httpHeadersKey)(headers);
      if (!decision.allowed) throw tooManyRequests(decision, headers);
    }
    return await next(req);
  };
}

/**
 * Refuses every RPC from a client address that failed to sign in too often within the last
 * window, before its credentials are checked (so guessing costs no bcrypt time), with
 * RESOURCE_EXHAUSTED and Retry-After; right credentials are refused too until the window ends.
 * Place it before authentication; feed it with RequestLimits.authFailed.
 */
export function authFailureLimitInterceptor(limits: RequestLimits): Interceptor {
  return (next) => async (req) => {
    const address = req.contextValues.get(clientAddressKey);
    const setHeaders = req.contextValues.get(httpHeadersKey);
    const budget = limits.authFailures(address);
    if (!budget.allowed) {
      const headers = rateLimitHeaders(budget);
      setHeaders(headers);
      throw new ConnectError(
        `too many failed sign-ins from this address - retry in ${retryAfterSeconds(budget)} s`,
        Code.ResourceExhausted,
        headers,
      );
    }
    try {
      return await next(req);
    } catch (err) {
      if (codeOf(err) !== Code.Unauthenticated) throw err;
      // Rejected credentials report what is left of the address's failed sign-in budget.
      if (sentCredentials(req)) {
        setHeaders(rateLimitHeaders({ ...limits.authFailures(address), allowed: true }));
        throw err;
      }
      // A call without credentials has no principal: it counts against its address.
      const decision = limits.request(addressKey(address));
      if (!decision) throw err;
      const headers = rateLimitHeaders(decision);
      setHeaders(headers);
      throw decision.allowed ? err : tooManyRequests(decision, headers);
    }
  };
}

/** RESOURCE_EXHAUSTED (HTTP 429) saying when to retry, with the decision's headers. */
function tooManyRequests(decision: RateDecision, headers: Record<string, string>): ConnectError {
  return new ConnectError(
    `too many requests (limit ${decision.limit} a minute) - retry in ${retryAfterSeconds(decision)} s`,
    Code.ResourceExhausted,
    headers,
  );
}
