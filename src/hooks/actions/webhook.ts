/** The generic webhook action: GET, or POST of the rendered template / the event as JSON. */
import { type Hook_Webhook, Hook_Webhook_Method } from "../../../gen/v1/config_pb.js";
import { type ActionContext, renderOr, requireField } from "../action-context.js";
import { eventJson } from "../event-json.js";
import { sendHttp } from "../http-action.js";

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Calls the webhook. UNKNOWN means POST. The body is the rendered template, or without one
 * the event as JSON; it is sent as application/json when it parses as JSON, else text/plain.
 * A GET sends no body (and signs the empty body).
 */
export async function runWebhook(cfg: Hook_Webhook, ctx: ActionContext): Promise<void> {
  const url = requireField(ctx, cfg.webhookUrl, "webhook URL (webhookUrl)");
  const method = cfg.method === Hook_Webhook_Method.GET ? "GET" : "POST";
  if (method === "GET") return sendHttp(ctx, { method, url });
  const body = renderOr(ctx, "template", cfg.template, () => JSON.stringify(eventJson(ctx.event)));
  const contentType = isJson(body) ? "application/json" : "text/plain; charset=utf-8";
  return sendHttp(ctx, { method, url, body, contentType });
}
