/** Discord, Slack and Telegram: one JSON POST with the message. */
import type { Hook_Discord, Hook_Slack, Hook_Telegram } from "../../../gen/v1/config_pb.js";
import { type ActionContext, renderOr, requireField } from "../action-context.js";
import { defaultMessage } from "../default-message.js";
import { truncate } from "../format.js";
import { joinUrl, sendHttp } from "../http-action.js";

/** Discord rejects messages longer than this. */
export const DISCORD_MAX_CHARS = 2000;
/** Telegram rejects messages longer than this. */
export const TELEGRAM_MAX_CHARS = 4096;

function message(ctx: ActionContext, template: string): string {
  return renderOr(ctx, "template", template, () => defaultMessage(ctx.event));
}

function postJson(ctx: ActionContext, url: string, payload: unknown): Promise<void> {
  return sendHttp(ctx, {
    method: "POST",
    url,
    body: JSON.stringify(payload),
    contentType: "application/json",
  });
}

/** Posts `{"content": message}` (cut to 2000 characters) to a Discord webhook. */
export function runDiscord(cfg: Hook_Discord, ctx: ActionContext): Promise<void> {
  const url = requireField(ctx, cfg.webhookUrl, "webhook URL (webhookUrl)");
  return postJson(ctx, url, { content: truncate(message(ctx, cfg.template), DISCORD_MAX_CHARS) });
}

/** Posts `{"text": message}` to a Slack incoming webhook. */
export function runSlack(cfg: Hook_Slack, ctx: ActionContext): Promise<void> {
  const url = requireField(ctx, cfg.webhookUrl, "webhook URL (webhookUrl)");
  return postJson(ctx, url, { text: message(ctx, cfg.template) });
}

/** Posts `{chat_id, text}` to `<telegramApiBase>/bot<token>/sendMessage`. */
export function runTelegram(cfg: Hook_Telegram, ctx: ActionContext): Promise<void> {
  const token = requireField(ctx, cfg.botToken, "bot token (botToken)");
  const chatId = requireField(ctx, cfg.chatId, "chat ID (chatId)");
  const url = joinUrl(ctx.endpoints.telegramApiBase, `bot${token}/sendMessage`);
  return postJson(ctx, url, {
    chat_id: chatId,
    text: truncate(message(ctx, cfg.template), TELEGRAM_MAX_CHARS),
  });
}
