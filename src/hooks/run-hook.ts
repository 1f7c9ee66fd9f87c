/** Runs one hook's action for an event under a timeout, with signing and secret masking. */
import type { Hook } from "../../gen/v1/config_pb.js";
import type { ActionContext } from "./action-context.js";
import { runDiscord, runSlack, runTelegram } from "./actions/chat.js";
import { NTFY_DEFAULT_SERVER, runGotify, runHealthchecks, runNtfy } from "./actions/notify.js";
import { runWebhook } from "./actions/webhook.js";
import { runCommand } from "./command.js";
import { createDeadline } from "./deadline.js";
import { runEmail } from "./email.js";
import { HookError } from "./errors.js";
import type { HookEvent } from "./event.js";
import { createMasker, urlSecrets } from "./redact.js";

/** Timeout used when neither hook.timeoutSeconds nor opts.defaultTimeoutMs is set. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Telegram's Bot API, unless RunHookOptions.endpoints overrides it. */
export const TELEGRAM_API_BASE = "https://api.telegram.org";

/** Options of runHook. */
export interface RunHookOptions {
  signal?: AbortSignal;
  /**
   * Used when hook.timeoutSeconds is 0 (default 60 s). After it, the hook is stopped (command:
   * process group SIGTERM then SIGKILL; HTTP: request aborted) and runHook rejects with
   * HookError "timed out after Ns".
   */
  defaultTimeoutMs?: number;
  /** Signing key when hook.signingSecret is empty. */
  defaultSecret: string;
  /**
   * Receives the hook's output (command stdout/stderr lines; for HTTP actions a line like
   * "POST https://host/path -> 200"). Secrets never appear in output or errors.
   */
  onOutput?: (line: string) => void;
  /** Overridable endpoints so tests can point at loopback servers. */
  endpoints?: { telegramApiBase?: string };
  /** Environment of command hooks (e.g. PATH); nothing else of the daemon's is passed. */
  env?: Record<string, string>;
}

/** Every configured value of `hook` that must not be shown: tokens, passwords, URL keys, the signing key. */
export function hookSecrets(hook: Hook, defaultSecret: string): string[] {
  const out = [hook.signingSecret, defaultSecret];
  const a = hook.action;
  switch (a.case) {
    case "actionWebhook":
    case "actionDiscord":
    case "actionSlack":
    case "actionHealthchecks":
      out.push(...urlSecrets(a.value.webhookUrl));
      break;
    case "actionGotify":
      out.push(a.value.token, ...urlSecrets(a.value.baseUrl));
      break;
    case "actionTelegram":
      out.push(a.value.botToken);
      break;
    case "actionNtfy":
      // A long random topic is what keeps an ntfy.sh topic private.
      out.push(
        a.value.token,
        ...urlSecrets(`${NTFY_DEFAULT_SERVER}/${encodeURIComponent(a.value.topic)}`),
      );
      out.push(...urlSecrets(a.value.serverUrl));
      break;
    case "actionEmail":
      out.push(a.value.password);
      break;
    case "actionShoutrrr":
      out.push(...urlSecrets(a.value.shoutrrrUrl));
      break;
  }
  return out.filter((s) => s.length > 0);
}

function dispatch(hook: Hook, ctx: ActionContext): Promise<void> {
  const a = hook.action;
  switch (a.case) {
    case "actionCommand":
      return runCommand(a.value, ctx);
    case "actionWebhook":
      return runWebhook(a.value, ctx);
    case "actionDiscord":
      return runDiscord(a.value, ctx);
    case "actionSlack":
      return runSlack(a.value, ctx);
    case "actionTelegram":
      return runTelegram(a.value, ctx);
    case "actionGotify":
      return runGotify(a.value, ctx);
    case "actionNtfy":
      return runNtfy(a.value, ctx);
    case "actionHealthchecks":
      return runHealthchecks(a.value, ctx);
    case "actionEmail":
      return runEmail(a.value, ctx);
    case "actionShoutrrr":
      throw new HookError(
        "Shoutrrr hooks are not supported by Restwell; replace it with the native Discord, Slack, Gotify, Telegram, ntfy, Healthchecks, email or webhook action",
        { action: "shoutrrr" },
      );
    default:
      throw new HookError(
        "hook has no action configured; set one (command, webhook, discord, ...)",
      );
  }
}

function actionName(hook: Hook): string {
  return (hook.action.case ?? "none").replace(/^action/, "").toLowerCase();
}

/**
 * Runs the hook's action for the event. Resolves when it succeeded; rejects with a HookError
 * (what failed and what to check, no secrets) otherwise.
 */
export async function runHook(hook: Hook, event: HookEvent, opts: RunHookOptions): Promise<void> {
  const timeoutMs =
    hook.timeoutSeconds > 0
      ? hook.timeoutSeconds * 1000
      : (opts.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS);
  const mask = createMasker(hookSecrets(hook, opts.defaultSecret));
  const deadline = createDeadline(timeoutMs, opts.signal);
  const ctx: ActionContext = {
    action: actionName(hook),
    event,
    deadline,
    secret: hook.signingSecret || opts.defaultSecret,
    output: (line) => opts.onOutput?.(mask(line)),
    mask,
    endpoints: { telegramApiBase: opts.endpoints?.telegramApiBase ?? TELEGRAM_API_BASE },
    env: { ...opts.env },
  };
  try {
    await dispatch(hook, ctx);
  } catch (err) {
    if (err instanceof HookError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new HookError(mask(`${ctx.action} hook failed: ${reason}`), {
      action: ctx.action,
      cause: err,
    });
  } finally {
    deadline.dispose();
  }
}
