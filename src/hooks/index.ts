/**
 * The hook runtime: which hooks match a condition, Backrest-compatible templates, default
 * messages, and running a hook's action (command, webhook, chat services, e-mail).
 */
export { eventName, hookMatches, isErrorCondition, isStartCondition } from "./conditions.js";
export { defaultMessage, defaultSubject, defaultTitle } from "./default-message.js";
export { HookError, type HookErrorDetails, TemplateError } from "./errors.js";
export type { HookEvent } from "./event.js";
export { maskUri } from "./redact.js";
export { DEFAULT_TIMEOUT_MS, type RunHookOptions, runHook } from "./run-hook.js";
export { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER, verifySignature } from "./sign.js";
export { renderTemplate } from "./template.js";
