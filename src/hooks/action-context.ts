/** What every action gets from runHook: the event, the deadline, the secret, output and masking. */
import type { Deadline } from "./deadline.js";
import { HookError, type HookErrorDetails, TemplateError } from "./errors.js";
import type { HookEvent } from "./event.js";
import { renderTemplate } from "./template.js";

/** The per-run context handed to an action. */
export interface ActionContext {
  /** The action kind, used in messages: "command", "webhook", "discord", ... */
  action: string;
  event: HookEvent;
  deadline: Deadline;
  /** HMAC key for request signatures. */
  secret: string;
  /** Receives output lines, already masked. */
  output: (line: string) => void;
  /** Replaces the hook's secrets in `text` with "***". */
  mask: (text: string) => string;
  endpoints: { telegramApiBase: string };
  env: Record<string, string>;
}

/** A HookError for this action, with secrets masked out of the message. */
export function hookError(
  ctx: ActionContext,
  message: string,
  details: HookErrorDetails = {},
): HookError {
  return new HookError(ctx.mask(message), { action: ctx.action, ...details });
}

/**
 * Renders `template` (or, when it is blank, `fallback`) for the event; a broken template
 * becomes a HookError naming the field.
 */
export function renderOr(
  ctx: ActionContext,
  field: string,
  template: string,
  fallback: () => string,
): string {
  if (template.trim() === "") return fallback();
  try {
    return renderTemplate(template, ctx.event);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw hookError(
      ctx,
      `${ctx.action} hook ${field} is invalid (${err.message}); fix the template`,
      {
        cause: err,
      },
    );
  }
}

/** Throws a HookError unless `value` is set. */
export function requireField(ctx: ActionContext, value: string, field: string): string {
  if (value.trim() === "")
    throw hookError(ctx, `${ctx.action} hook has no ${field}; set it in the hook's config`);
  return value.trim();
}
