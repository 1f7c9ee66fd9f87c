/**
 * The hook actions the editor offers, and the fields of each: one table, so the editor has
 * no per-action code. (Shoutrrr is left out: the daemon does not run it.)
 */
import { create, type DescMessage } from "@bufbuild/protobuf";
import {
  type Hook,
  Hook_CommandSchema,
  Hook_Condition,
  Hook_DiscordSchema,
  Hook_EmailSchema,
  Hook_GotifySchema,
  Hook_HealthchecksSchema,
  Hook_NtfySchema,
  Hook_OnError,
  Hook_SlackSchema,
  Hook_TelegramSchema,
  Hook_WebhookSchema,
} from "../../../gen/v1/config_pb";

/** One field of an action. */
export interface ActionField {
  key: string;
  label: string;
  kind: "text" | "textarea" | "number" | "bool" | "list" | "method" | "secret";
  required?: boolean;
  url?: boolean;
  hint?: string;
}

/** An action kind: its oneof case, label, message schema and fields. */
export interface ActionKind {
  case: NonNullable<Hook["action"]["case"]>;
  label: string;
  schema: DescMessage;
  fields: ActionField[];
}

const template: ActionField = {
  key: "template",
  label: "Message template",
  kind: "textarea",
  hint: "Go template, e.g. {{ .Event }} for {{ .Plan.Id }}; empty for the default message.",
};

/** Every action the editor offers. */
export const ACTIONS: ActionKind[] = [
  {
    case: "actionCommand",
    label: "Run a command",
    schema: Hook_CommandSchema,
    fields: [{ key: "command", label: "Command (run by sh)", kind: "textarea", required: true }],
  },
  {
    case: "actionWebhook",
    label: "Webhook",
    schema: Hook_WebhookSchema,
    fields: [
      { key: "webhookUrl", label: "URL", kind: "secret", required: true, url: true },
      { key: "method", label: "Method", kind: "method" },
      template,
    ],
  },
  {
    case: "actionDiscord",
    label: "Discord",
    schema: Hook_DiscordSchema,
    fields: [
      { key: "webhookUrl", label: "Webhook URL", kind: "secret", required: true, url: true },
      template,
    ],
  },
  {
    case: "actionSlack",
    label: "Slack",
    schema: Hook_SlackSchema,
    fields: [
      { key: "webhookUrl", label: "Webhook URL", kind: "secret", required: true, url: true },
      template,
    ],
  },
  {
    case: "actionGotify",
    label: "Gotify",
    schema: Hook_GotifySchema,
    fields: [
      { key: "baseUrl", label: "Server URL", kind: "text", required: true, url: true },
      { key: "token", label: "App token", kind: "secret", required: true },
      { key: "priority", label: "Priority", kind: "number" },
      { key: "titleTemplate", label: "Title template", kind: "text" },
      template,
    ],
  },
  {
    case: "actionHealthchecks",
    label: "Healthchecks",
    schema: Hook_HealthchecksSchema,
    fields: [
      { key: "webhookUrl", label: "Ping URL", kind: "secret", required: true, url: true },
      template,
    ],
  },
  {
    case: "actionTelegram",
    label: "Telegram",
    schema: Hook_TelegramSchema,
    fields: [
      { key: "botToken", label: "Bot token", kind: "secret", required: true },
      { key: "chatId", label: "Chat id", kind: "text", required: true },
      template,
    ],
  },
  {
    case: "actionNtfy",
    label: "ntfy",
    schema: Hook_NtfySchema,
    fields: [
      {
        key: "serverUrl",
        label: "Server URL",
        kind: "text",
        url: true,
        hint: "e.g. https://ntfy.sh",
      },
      { key: "topic", label: "Topic", kind: "text", required: true },
      { key: "token", label: "Access token", kind: "secret" },
      { key: "priority", label: "Priority (1-5, 0 default)", kind: "number" },
      { key: "titleTemplate", label: "Title template", kind: "text" },
      template,
    ],
  },
  {
    case: "actionEmail",
    label: "Email (SMTP)",
    schema: Hook_EmailSchema,
    fields: [
      { key: "host", label: "SMTP host", kind: "text", required: true },
      { key: "port", label: "Port", kind: "number", hint: "587 (STARTTLS) by default" },
      { key: "implicitTls", label: "Implicit TLS (port 465)", kind: "bool" },
      { key: "username", label: "User name", kind: "text" },
      { key: "password", label: "Password", kind: "secret" },
      { key: "from", label: "From", kind: "text", required: true },
      { key: "to", label: "To", kind: "list", required: true },
      { key: "subjectTemplate", label: "Subject template", kind: "text" },
      template,
    ],
  },
];

/** A new, empty action of a kind. */
export function newAction(kind: ActionKind): Hook["action"] {
  return { case: kind.case, value: create(kind.schema) } as Hook["action"];
}

/** Conditions, grouped for the editor. */
export const CONDITIONS: { group: string; items: { value: Hook_Condition; label: string }[] }[] = [
  {
    group: "Backups",
    items: [
      { value: Hook_Condition.SNAPSHOT_START, label: "Backup starts" },
      { value: Hook_Condition.SNAPSHOT_END, label: "Backup ends (any outcome)" },
      { value: Hook_Condition.SNAPSHOT_SUCCESS, label: "Backup succeeds" },
      { value: Hook_Condition.SNAPSHOT_WARNING, label: "Backup has warnings" },
      { value: Hook_Condition.SNAPSHOT_ERROR, label: "Backup fails" },
      { value: Hook_Condition.SNAPSHOT_SKIPPED, label: "Backup is skipped" },
    ],
  },
  {
    group: "Maintenance",
    items: [
      { value: Hook_Condition.PRUNE_START, label: "Prune starts" },
      { value: Hook_Condition.PRUNE_SUCCESS, label: "Prune succeeds" },
      { value: Hook_Condition.PRUNE_ERROR, label: "Prune fails" },
      { value: Hook_Condition.CHECK_START, label: "Check starts" },
      { value: Hook_Condition.CHECK_SUCCESS, label: "Check succeeds" },
      { value: Hook_Condition.CHECK_ERROR, label: "Check fails" },
      { value: Hook_Condition.FORGET_START, label: "Forget starts" },
      { value: Hook_Condition.FORGET_SUCCESS, label: "Forget succeeds" },
      { value: Hook_Condition.FORGET_ERROR, label: "Forget fails" },
    ],
  },
  {
    group: "Other",
    items: [
      { value: Hook_Condition.ANY_ERROR, label: "Any error" },
      { value: Hook_Condition.STORAGE_THRESHOLD, label: "Repo grows past its alert size" },
      { value: Hook_Condition.SECURITY_ALERT, label: "Repeated failed sign-ins" },
    ],
  },
];

/** What a failing hook does to its operation. */
export const ON_ERROR: { value: Hook_OnError; label: string }[] = [
  { value: Hook_OnError.IGNORE, label: "Ignore the failure" },
  { value: Hook_OnError.CANCEL, label: "Cancel the operation" },
  { value: Hook_OnError.FATAL, label: "Fail the operation" },
  { value: Hook_OnError.RETRY_1MINUTE, label: "Retry after 1 minute" },
  { value: Hook_OnError.RETRY_10MINUTES, label: "Retry after 10 minutes" },
  { value: Hook_OnError.RETRY_EXPONENTIAL_BACKOFF, label: "Retry with backoff" },
];
