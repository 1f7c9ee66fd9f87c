/**
 * The daemon's errors as the UI shows them: one sentence for the whole error, and the
 * validation issues (`path: message; ...`) split out so forms can show them by their fields.
 */
import { Code, ConnectError } from "@connectrpc/connect";

/** One problem the daemon found in a request, with the path of the field. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The message of an error, as the daemon wrote it. */
export function errorMessage(err: unknown): string {
  if (err instanceof ConnectError) {
    if (err.code === Code.Unavailable && /fetch|network/i.test(err.rawMessage))
      return "The daemon cannot be reached; check that it is running.";
    return err.rawMessage || Code[err.code];
  }
  return err instanceof Error ? err.message : String(err);
}

/** The Connect code of an error (Unknown for non-Connect errors). */
export function errorCode(err: unknown): Code {
  return ConnectError.from(err).code;
}

/**
 * Splits a validation message ("summary: a.b: msg; c[0].d: msg") into its issues. Returns []
 * for other errors.
 */
export function fieldIssues(err: unknown): FieldIssue[] {
  if (!(err instanceof ConnectError) || err.code !== Code.InvalidArgument) return [];
  const text = err.rawMessage;
  const start = text.indexOf(": ");
  const body = start >= 0 ? text.slice(start + 2) : text;
  const issues: FieldIssue[] = [];
  // An issue starts with a path (a.b[1].c) and ": "; anything else continues the previous message.
  for (const part of body.split("; ")) {
    const m = /^([A-Za-z_][\w]*(?:\[\d+\])?(?:\.[A-Za-z_][\w]*(?:\[\d+\])?)*): (.*)$/s.exec(part);
    const last = issues.at(-1);
    if (m?.[1] && m[2] !== undefined) issues.push({ path: m[1], message: m[2] });
    else if (last) last.message += `; ${part}`;
  }
  return issues;
}

/**
 * The issues for a field, matched by the end of their path: with prefix "plans[2]", the
 * issue "plans[2].schedule.cron" belongs to field "schedule.cron".
 */
export function issuesFor(issues: FieldIssue[], prefix: string, field: string): string[] {
  const full = prefix ? `${prefix}.${field}` : field;
  return issues
    .filter(
      (i) => i.path === full || i.path.startsWith(`${full}.`) || i.path.startsWith(`${full}[`),
    )
    .map((i) => i.message);
}
