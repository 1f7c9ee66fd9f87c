/**
 * The daemon a client command talks to: its URL and credentials from flags or the
 * environment, and the one place where a failed call becomes a message and an exit code.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { createNodeClient, type RestwellAuth, type RestwellClient } from "../client/node.js";
import { type FlagValues, flag } from "./args.js";
import { type CliContext, CliError, EXIT } from "./context.js";
import { readSecret } from "./read-secret.js";

/** The daemon's default address (`restwell serve` without --bind-address). */
export const DEFAULT_SERVER = "http://127.0.0.1:9898";

/** A client of the daemon, and its URL for messages. */
export interface Connection {
  client: RestwellClient;
  server: string;
}

/**
 * Connects to --server / RESTWELL_SERVER with --token / RESTWELL_TOKEN, or --user /
 * RESTWELL_USER and --password / RESTWELL_PASSWORD (asked for on a terminal). No request is
 * made yet.
 */
export async function connect(values: FlagValues, ctx: CliContext): Promise<Connection> {
  const server = normalizeServer(
    flag(values, "server") ?? ctx.env.RESTWELL_SERVER ?? DEFAULT_SERVER,
  );
  const auth = await credentials(values, ctx);
  return { client: createNodeClient(server, auth), server };
}

function normalizeServer(server: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`;
  try {
    return new URL(url).toString().replace(/\/+$/, "");
  } catch {
    throw new CliError(
      `"${server}" is not a server URL; use e.g. http://127.0.0.1:9898`,
      EXIT.USAGE,
    );
  }
}

async function credentials(values: FlagValues, ctx: CliContext): Promise<RestwellAuth> {
  const token = flag(values, "token") ?? ctx.env.RESTWELL_TOKEN;
  if (token) return { token };
  const user = flag(values, "user") ?? ctx.env.RESTWELL_USER;
  if (!user) return undefined;
  const password =
    flag(values, "password") ??
    ctx.env.RESTWELL_PASSWORD ??
    (ctx.stdin.isTTY ? await readSecret(ctx, `Password for ${user}: `) : undefined);
  if (password === undefined)
    throw new CliError(
      `no password for user "${user}": set RESTWELL_PASSWORD (or use an API key in RESTWELL_TOKEN)`,
      EXIT.USAGE,
    );
  return { user, password };
}

/** Turns a failed call into the CliError to report (other errors pass through). */
export function describeCallError(err: unknown, server: string): unknown {
  if (!(err instanceof ConnectError)) return err;
  switch (err.code) {
    case Code.Unauthenticated:
      return new CliError(
        `the daemon at ${server} did not accept the credentials (${err.rawMessage}); set RESTWELL_TOKEN, or RESTWELL_USER and RESTWELL_PASSWORD (or pass --token / --user)`,
        EXIT.AUTH,
      );
    case Code.PermissionDenied:
      return new CliError(`not allowed: ${err.rawMessage}`, EXIT.AUTH);
    case Code.Unavailable:
    case Code.Unknown:
      if (isConnectionFailure(err))
        return new CliError(
          `cannot reach the daemon at ${server} (${causeText(err)}); start it with \`restwell serve\`, or point --server / RESTWELL_SERVER at it`,
          EXIT.UNREACHABLE,
        );
      return new CliError(err.rawMessage, EXIT.FAILED);
    default:
      return new CliError(err.rawMessage, EXIT.FAILED);
  }
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
]);

function isConnectionFailure(err: ConnectError): boolean {
  for (let e: unknown = err.cause; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    if (e instanceof AggregateError && e.errors.some((x) => CONNECTION_CODES.has(x?.code)))
      return true;
  }
  return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|fetch failed/.test(err.rawMessage);
}

function causeText(err: ConnectError): string {
  for (let e: unknown = err.cause; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return err.rawMessage;
}
