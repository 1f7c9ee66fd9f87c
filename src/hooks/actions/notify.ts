/** Gotify, ntfy and Healthchecks: services with a title, a priority or a status path. */
import type { Hook_Gotify, Hook_Healthchecks, Hook_Ntfy } from "../../../gen/v1/config_pb.js";
import { type ActionContext, renderOr, requireField } from "../action-context.js";
import { isErrorCondition, isStartCondition } from "../conditions.js";
import { defaultMessage, defaultTitle } from "../default-message.js";
import { joinUrl, sendHttp } from "../http-action.js";

/** The ntfy server used when the hook names none. */
export const NTFY_DEFAULT_SERVER = "https://ntfy.sh";

function message(ctx: ActionContext, template: string): string {
  return renderOr(ctx, "template", template, () => defaultMessage(ctx.event));
}

function title(ctx: ActionContext, template: string): string {
  return renderOr(ctx, "title template", template, () => defaultTitle(ctx.event));
}

/** A header-safe value: one line, non-Latin-1 text as an RFC 2047 encoded word (ntfy reads these). */
export function headerValue(text: string): string {
  const line = text.replace(/[\r\n]+/g, " ").trim();
  if (/^[\x20-\x7e]*$/.test(line)) return line;
  return `=?UTF-8?B?${Buffer.from(line, "utf8").toString("base64")}?=`;
}

/** POSTs `{title, message, priority}` to `<baseUrl>/message` with the token in X-Gotify-Key. */
export function runGotify(cfg: Hook_Gotify, ctx: ActionContext): Promise<void> {
  const base = requireField(ctx, cfg.baseUrl, "base URL (baseUrl)");
  const token = requireField(ctx, cfg.token, "token");
  const payload = {
    title: title(ctx, cfg.titleTemplate),
    message: message(ctx, cfg.template),
    priority: cfg.priority,
  };
  return sendHttp(ctx, {
    method: "POST",
    url: joinUrl(base, "message"),
    headers: { "X-Gotify-Key": token },
    body: JSON.stringify(payload),
    contentType: "application/json",
  });
}

/** POSTs the message to `<serverUrl>/<topic>` with Title, Priority (when > 0) and Authorization headers. */
export function runNtfy(cfg: Hook_Ntfy, ctx: ActionContext): Promise<void> {
  const topic = requireField(ctx, cfg.topic, "topic");
  const server = cfg.serverUrl.trim() || NTFY_DEFAULT_SERVER;
  const headers: Record<string, string> = { Title: headerValue(title(ctx, cfg.titleTemplate)) };
  if (cfg.priority > 0) headers.Priority = String(Math.min(cfg.priority, 5));
  if (cfg.token.trim()) headers.Authorization = `Bearer ${cfg.token.trim()}`;
  const url = joinUrl(server, encodeURIComponent(topic));
  return sendHttp(ctx, { method: "POST", url, headers, body: message(ctx, cfg.template) });
}

/** Pings `<url>/start` on start conditions, `<url>/fail` on errors, `<url>` otherwise, with the message as body. */
export function runHealthchecks(cfg: Hook_Healthchecks, ctx: ActionContext): Promise<void> {
  const base = requireField(ctx, cfg.webhookUrl, "ping URL (webhookUrl)");
  const condition = ctx.event.condition;
  const url = isStartCondition(condition)
    ? joinUrl(base, "start")
    : isErrorCondition(condition) || ctx.event.event.endsWith(".failed")
      ? joinUrl(base, "fail")
      : base;
  return sendHttp(ctx, { method: "POST", url, body: message(ctx, cfg.template) });
}
