/** Sends one signed HTTP request for an action and maps every failure to a secret-free HookError. */
import { type ActionContext, hookError } from "./action-context.js";
import { redactUrl } from "./redact.js";
import { signatureHeaders } from "./sign.js";

/** One outgoing request of an HTTP action. */
export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  /** Sent as UTF-8; ignored (and the empty body signed) for GET. */
  body?: string;
  contentType?: string;
}

/** Characters of a failed response's body quoted in the error. */
const EXCERPT_CHARS = 200;

/** `base` with `path` appended after exactly one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/**
 * Sends `req` signed with the context's secret (X-Restwell-Signature/-Timestamp), aborting
 * on the deadline. Resolves on a 2xx answer; rejects with a HookError otherwise. Redirects are
 * not followed, so headers such as X-Gotify-Key never travel to another host.
 */
export async function sendHttp(ctx: ActionContext, req: HttpRequest): Promise<void> {
  const shown = redactUrl(req.url);
  checkUrl(ctx, req.url, shown);
  const body = req.method === "GET" ? Buffer.alloc(0) : Buffer.from(req.body ?? "", "utf8");
  const headers: Record<string, string> = {
    "User-Agent": "restwell-hooks",
    ...req.headers,
    ...signatureHeaders(ctx.secret, body),
  };
  if (req.method !== "GET")
    headers["Content-Type"] = req.contentType ?? "text/plain; charset=utf-8";
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers,
      body: req.method === "GET" ? undefined : body,
      signal: ctx.deadline.signal,
      redirect: "manual",
    });
  } catch (err) {
    if (ctx.deadline.signal.aborted)
      throw ctx.deadline.abortError(ctx.action, `check that ${shown} answers`);
    throw hookError(
      ctx,
      `${ctx.action} hook could not reach ${shown}: ${describeFetchError(err)}; check the URL and the network`,
      { cause: err },
    );
  }
  ctx.output(`${req.method} ${shown} -> ${res.status}`);
  await checkResponse(ctx, req.method, shown, res);
}

function checkUrl(ctx: ActionContext, url: string, shown: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw hookError(ctx, `${ctx.action} hook URL is not a valid URL; set a full http(s):// URL`);
  }
  if (protocol !== "http:" && protocol !== "https:")
    throw hookError(
      ctx,
      `${ctx.action} hook URL ${shown} is not http(s); set an http:// or https:// URL`,
    );
}

async function checkResponse(
  ctx: ActionContext,
  method: string,
  shown: string,
  res: Response,
): Promise<void> {
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel().catch(() => {});
    return;
  }
  const excerpt = await readExcerpt(ctx, res);
  const what =
    res.status >= 300 && res.status < 400 ? "redirected (not followed)" : `answered ${res.status}`;
  const tail = excerpt ? `: ${excerpt}` : "";
  throw hookError(
    ctx,
    `${ctx.action} hook: ${method} ${shown} ${what}${tail}; check the URL, token and service`,
    { status: res.status },
  );
}

async function readExcerpt(ctx: ActionContext, res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < EXCERPT_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body that breaks off still leaves the status to report.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const flat = ctx.mask(text).replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
