/** Plain HTTP calls, the way curl and shell scripts use the API (Connect JSON). */
import { request } from "node:http";

/** An answer as it came off the wire: no decompression, headers as Node parsed them. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * One request with Node's http client, which adds no headers of its own (fetch adds
 * Accept-Encoding and decompresses), for checking encodings and bytes.
 */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

export interface RpcResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** POSTs a JSON body to /<service>/<method>, optionally with basic credentials. */
export async function callJson(
  baseUrl: string,
  path: string,
  body: unknown,
  opts: {
    user?: string;
    password?: string;
    signal?: AbortSignal;
    headers?: Record<string, string>;
  } = {},
): Promise<RpcResponse> {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  if (opts.user !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password ?? ""}`).toString("base64")}`;
  }
  const res = await fetch(`${baseUrl}/${path}`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: opts.signal,
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An operation as Connect JSON renders it (the fields tests look at). */
export interface OpJson {
  id: string;
  flowId?: string;
  status: string;
  planId?: string;
  repoId?: string;
  snapshotId?: string;
  displayMessage?: string;
  logref?: string;
  unixTimeStartMs?: string;
  [payload: string]: unknown;
}

const FINISHED = new Set([
  "STATUS_SUCCESS",
  "STATUS_WARNING",
  "STATUS_ERROR",
  "STATUS_SYSTEM_CANCELLED",
  "STATUS_USER_CANCELLED",
]);

/** Polls GetOperations until operation `id` has finished; returns it. */
export async function waitForOperation(
  baseUrl: string,
  id: string,
  auth: { user?: string; password?: string } = {},
): Promise<OpJson> {
  return waitFor(
    async () => {
      const res = await callJson(
        baseUrl,
        "v1.Backrest/GetOperations",
        { selector: { ids: [id] } },
        auth,
      );
      const op = (res.body as { operations?: OpJson[] }).operations?.[0];
      return op && FINISHED.has(op.status) ? op : undefined;
    },
    120_000,
    `operation ${id} to finish`,
  );
}

/** Calls an RPC that starts an operation ({operationId}) and waits for the operation to finish. */
export async function runAndWait(baseUrl: string, path: string, body: unknown): Promise<OpJson> {
  const res = await callJson(baseUrl, path, body);
  if (res.status !== 200) throw new Error(`${path} failed: ${res.text}`);
  const id = (res.body as { operationId?: string }).operationId;
  if (!id) throw new Error(`${path} started no operation: ${res.text}`);
  return waitForOperation(baseUrl, id);
}
