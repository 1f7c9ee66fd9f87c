/** The outcome of an RPC as interceptors inside the error mapping see it. */
import { Code } from "@connectrpc/connect";
import { toConnectError } from "../api/errors.js";
import { silentLogger } from "../log.js";

/**
 * The Connect code `err` will end with at the API edge. Interceptors inside the error
 * interceptor see domain errors not yet mapped; this maps them the same way, without logging
 * (the error interceptor logs unknown errors once).
 */
export function codeOf(err: unknown): Code {
  return toConnectError(err, silentLogger).code;
}

/** "ok" without an error, else the code in lower snake case, e.g. "permission_denied". */
export function outcomeOf(err?: unknown): string {
  if (err === undefined) return "ok";
  const name = Code[codeOf(err)] ?? "unknown";
  return name.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? "" : "_") + c.toLowerCase());
}
