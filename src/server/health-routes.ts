/**
 * GET /healthz and GET /readyz, without authentication, for monitors and orchestration tools.
 * /healthz: the process answers, the operation log can be written, restic runs (with its
 * version). /readyz: the daemon has started and is not shutting down.
 */
import type { NodeRequest, NodeResponse } from "./http-handler.js";

export interface HealthChecks {
  /** Throws when the operation log cannot be written. */
  database(): void;
  /** restic's version; rejects when restic cannot be run. */
  restic(): Promise<string>;
  /** "ready", "starting" or "stopping". */
  state(): "ready" | "starting" | "stopping";
}

function send(res: NodeResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(`${JSON.stringify(body)}\n`);
}

/** Serves the health routes; returns false for other paths. */
export function createHealthRoutes(checks: HealthChecks) {
  return (req: NodeRequest, res: NodeResponse): boolean => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/healthz" && path !== "/readyz") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" });
      res.end();
      return true;
    }
    if (path === "/readyz") {
      const state = checks.state();
      send(res, state === "ready" ? 200 : 503, { status: state });
      return true;
    }
    void health(checks).then(({ ok, body }) => send(res, ok ? 200 : 503, body));
    return true;
  };
}

async function health(
  checks: HealthChecks,
): Promise<{ ok: boolean; body: Record<string, unknown> }> {
  const body: Record<string, unknown> = { status: "ok" };
  let ok = true;
  try {
    checks.database();
    body.database = "writable";
  } catch (err) {
    ok = false;
    body.database = `not writable: ${err instanceof Error ? err.message : String(err)}`;
  }
  try {
    body.restic = await checks.restic();
  } catch (err) {
    ok = false;
    body.restic = `not available: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (!ok) body.status = "failing";
  return { ok, body };
}
