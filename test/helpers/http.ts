/** Plain HTTP calls, the way curl and shell scripts use the API (Connect JSON). */

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
