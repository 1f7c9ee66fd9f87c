/**
 * Connect JSON calls with credentials, timed: what a script sends with curl, for the
 * benchmarks that run the daemon with authentication on.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";

/** The Authorization header of HTTP basic credentials. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** One answered call: wall time from sending to having read the whole body, status, body. */
export interface JsonAnswer {
  ms: number;
  status: number;
  text: string;
}

/**
 * POSTs `body` as JSON to `<baseUrl>/<procedure>` (e.g. "v1.Backrest/GetConfig") with
 * `authorization`. Rejects after `timeoutMs`; any status is returned, not thrown.
 */
export async function postJson(
  baseUrl: string,
  procedure: string,
  body: unknown,
  authorization: string,
  timeoutMs = 60_000,
): Promise<JsonAnswer> {
  const started = performance.now();
  const res = await fetch(`${baseUrl}/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { ms: performance.now() - started, status: res.status, text };
}

/** Like postJson, but rejects unless the answer is 200; returns the parsed body. */
export async function callOk<T>(
  baseUrl: string,
  procedure: string,
  body: unknown,
  authorization: string,
  timeoutMs = 60_000,
): Promise<{ ms: number; body: T; text: string }> {
  const answer = await postJson(baseUrl, procedure, body, authorization, timeoutMs);
  if (answer.status !== 200) {
    throw new Error(`${procedure} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
  }
  return { ms: answer.ms, body: JSON.parse(answer.text) as T, text: answer.text };
}

/** Polls GET <baseUrl>/readyz until it answers 200; resolves with when it did (performance.now()). */
export async function waitReady(baseUrl: string, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch {
      // not answering yet
    }
    if (performance.now() > deadline) throw new Error(`${baseUrl}/readyz was not ready in time`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The handler times the daemon logged for `method` (its access log: one "rpc" line per call
 * with ms=N), in order.
 */
export function accessLogMs(log: string, method: string): number[] {
  const re = new RegExp(`INFO rpc method=${method.replace(".", "\\.")} ms=(\\d+)`, "g");
  return [...log.matchAll(re)].map((m) => Number(m[1]));
}

/** One connection kept open between calls, as a client library keeps it (so no call pays a TCP handshake). */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/**
 * POSTs like postJson, the way curl does (node:http: no Accept-Encoding, nothing decoded):
 * times the daemon's answer without a client's decompression and text decoding. Rejects
 * unless the answer is 200.
 */
export function postBytes(
  baseUrl: string,
  procedure: string,
  body: unknown,
  authorization: string,
): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      `${baseUrl}/${procedure}`,
      {
        method: "POST",
        agent: keepAlive,
        headers: { "content-type": "application/json", authorization },
      },
      (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on("end", () => {
          const ms = performance.now() - started;
          if (res.statusCode === 200) resolve({ ms, bytes });
          else reject(new Error(`${procedure} answered ${res.statusCode}`));
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}
