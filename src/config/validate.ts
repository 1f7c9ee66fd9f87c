import { isAbsolute } from "node:path";
import type { Config, Plan, Repo, RetentionPolicy } from "../../gen/v1/config_pb.js";
import { isRole, ROLES, roleOf } from "../auth/permissions.js";
import type { ValidationIssue } from "../errors.js";
import { ID_PATTERN } from "./ids.js";
import { findRedactionMarkers, REDACTED } from "./redact.js";
import { validateDatabaseSources } from "./validate-databases.js";
import { validateSchedule } from "./validate-schedule.js";

export type { ValidationIssue };

const ENV_ENTRY = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Checks a whole config and returns every problem at once (empty when valid), each with the
 * path of the offending field such as `plans[1].repo`. Pure: reads nothing but `cfg`.
 */
export function validateConfig(cfg: Config): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  issues.push(...checkId(cfg.instance, "instance", "instance name"));
  issues.push(...validateIds(cfg.repos, "repos", "repo"));
  cfg.repos.forEach((repo, i) => {
    issues.push(...validateRepo(repo, `repos[${i}]`));
  });
  issues.push(...validateIds(cfg.plans, "plans", "plan"));
  const repoIds = new Set(cfg.repos.map((r) => r.id));
  cfg.plans.forEach((plan, i) => {
    issues.push(...validatePlan(plan, `plans[${i}]`, repoIds));
  });
  issues.push(...validateUsers(cfg));
  issues.push(...validateSettings(cfg));
  issues.push(...findRedactionMarkers(cfg));
  return issues;
}

/** Restwell's own settings: counts, sizes and ages may not be negative (0 means the default). */
function validateSettings(cfg: Config): ValidationIssue[] {
  const s = cfg.settings;
  if (!s) return [];
  const fields = {
    logRetentionDays: s.logRetentionDays,
    logMaxBytes: s.logMaxBytes,
    historyKeepCount: s.historyKeepCount,
    historyKeepDays: s.historyKeepDays,
    recycleBinDays: s.recycleBinDays,
    authFailuresPerMinute: s.authFailuresPerMinute,
    auditRetentionDays: s.auditRetentionDays,
  };
  const issues = Object.entries(fields)
    .filter(([, value]) => value < 0)
    .map(([name]) => ({
      path: `settings.${name}`,
      message: "must not be negative; use 0 for the default",
    }));
  if (s.rateLimitPerMinute < -1) {
    issues.push({
      path: "settings.rateLimitPerMinute",
      message: `is ${s.rateLimitPerMinute}; use a positive number, 0 for the default (600) or -1 for no limit`,
    });
  }
  // Node's timers cannot wait longer than 2^31-1 ms (about 24.8 days).
  if (s.operationTimeoutSeconds < -1 || s.operationTimeoutSeconds > 2_147_483) {
    issues.push({
      path: "settings.operationTimeoutSeconds",
      message: `is ${s.operationTimeoutSeconds}; use a number of seconds up to 2147483 (24.8 days), 0 for the default (86400 = 24 h) or -1 for no limit`,
    });
  }
  if (s.uploadMaxBytes < -1n) {
    issues.push({
      path: "settings.uploadMaxBytes",
      message: `is ${s.uploadMaxBytes}; use a number of bytes, 0 for the default (10 GiB) or -1 for no limit`,
    });
  }
  return issues;
}

function checkId(id: string, path: string, what: string): ValidationIssue[] {
  if (id === "")
    return [{ path, message: `${what} is empty; set it to letters, digits, _ . or -` }];
  if (!ID_PATTERN.test(id)) {
    return [{ path, message: `${what} "${id}" may only contain letters, digits, _ . and -` }];
  }
  return [];
}

/** Checks each element's id against the id pattern and for duplicates. */
function validateIds(items: { id: string }[], list: string, what: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const firstIndex = new Map<string, number>();
  items.forEach((item, i) => {
    const path = `${list}[${i}].id`;
    issues.push(...checkId(item.id, path, `${what} id`));
    const first = firstIndex.get(item.id);
    if (item.id !== "" && first !== undefined) {
      issues.push({
        path,
        message: `${what} id "${item.id}" is already used by ${list}[${first}]; choose a unique id`,
      });
    } else if (first === undefined) {
      firstIndex.set(item.id, i);
    }
  });
  return issues;
}

function validateRepo(repo: Repo, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (repo.uri.trim() === "") {
    issues.push({
      path: `${path}.uri`,
      message: "repo uri is empty; set the repository location (a path, sftp:, s3:, rest:...)",
    });
  }
  issues.push(
    ...commandLineIssues(path, [
      ["uri", repo.uri],
      ["password", repo.password],
      ["env", repo.env],
      ["flags", repo.flags],
    ]),
  );
  repo.env.forEach((entry, j) => {
    if (!ENV_ENTRY.test(entry)) {
      issues.push({
        path: `${path}.env[${j}]`,
        message: `env entry "${entry.split("=")[0]}" must have the form NAME=value`,
      });
    }
  });
  issues.push(...validateSchedule(repo.prunePolicy?.schedule, `${path}.prunePolicy.schedule`));
  issues.push(...validateSchedule(repo.checkPolicy?.schedule, `${path}.checkPolicy.schedule`));
  issues.push(...validateSchedule(repo.forgetPolicy?.schedule, `${path}.forgetPolicy.schedule`));
  const percent = repo.checkPolicy?.mode;
  if (percent?.case === "readDataSubsetPercent" && !(percent.value >= 0 && percent.value <= 100)) {
    issues.push({
      path: `${path}.checkPolicy.readDataSubsetPercent`,
      message: "readDataSubsetPercent must be between 0 and 100",
    });
  }
  return issues;
}

function validatePlan(plan: Plan, path: string, repoIds: Set<string>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (plan.repo === "") {
    issues.push({ path: `${path}.repo`, message: "plan has no repo; set it to the id of a repo" });
  } else if (!repoIds.has(plan.repo)) {
    issues.push({
      path: `${path}.repo`,
      message: `repo "${plan.repo}" does not exist; set it to the id of a configured repo`,
    });
  }
  if (plan.paths.length === 0 && plan.databases.length === 0) {
    issues.push({
      path: `${path}.paths`,
      message: "list at least one absolute path to back up, or a database source",
    });
  }
  plan.paths.forEach((p, j) => {
    if (p.includes("\0") || !isAbsolute(p)) {
      issues.push({
        path: `${path}.paths[${j}]`,
        message: `path "${p.replaceAll("\0", "\\0")}" must be absolute (start with /) and contain no NUL character`,
      });
    }
  });
  issues.push(
    ...commandLineIssues(path, [
      ["excludes", plan.excludes],
      ["iexcludes", plan.iexcludes],
      ["backup_flags", plan.backupFlags],
    ]),
  );
  issues.push(...validateDatabaseSources(plan, path));
  issues.push(...validateSchedule(plan.schedule, `${path}.schedule`));
  issues.push(...validateRetention(plan.retention, `${path}.retention`));
  return issues;
}

/**
 * Longest text of one field that reaches restic's command line or environment. Linux refuses
 * a single argument or variable over 128 KiB, and all of them together over about 2 MiB
 * (E2BIG), so a repo's or plan's fields together are held to MAX_COMMAND_LINE_CHARS.
 */
const MAX_ARGUMENT_CHARS = 32 * 1024;
const MAX_COMMAND_LINE_CHARS = 256 * 1024;

/**
 * Problems of fields that restic gets as arguments or environment: a NUL character (which no
 * argument can hold) and text too long to start a program with. `fields` are the fields'
 * names below `path` and their values: a string for a single field, an array for a list.
 */
function commandLineIssues(path: string, fields: [string, string | string[]][]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  let total = 0;
  for (const [field, given] of fields) {
    const entries = Array.isArray(given)
      ? given.map((v, j) => [v, `${path}.${field}[${j}]`] as const)
      : [[given, `${path}.${field}`] as const];
    for (const [value, at] of entries) {
      total += value.length;
      if (value.includes("\0"))
        issues.push({
          path: at,
          message: "contains a NUL character, which restic cannot be given; remove it",
        });
      else if (value.length > MAX_ARGUMENT_CHARS)
        issues.push({
          path: at,
          message: `is ${value.length} characters long; keep it under ${MAX_ARGUMENT_CHARS}`,
        });
    }
  }
  if (issues.length === 0 && total > MAX_COMMAND_LINE_CHARS)
    issues.push({
      path,
      message: `${fields.map(([f]) => f).join(", ")} hold ${total} characters together, more than a program can be started with; keep them under ${MAX_COMMAND_LINE_CHARS}`,
    });
  return issues;
}

function validateRetention(
  retention: RetentionPolicy | undefined,
  path: string,
): ValidationIssue[] {
  const policy = retention?.policy;
  const negative = (value: number, field: string): ValidationIssue[] =>
    value < 0 ? [{ path: `${path}.${field}`, message: `${field} is ${value}; use 0 or more` }] : [];
  if (policy?.case === "policyKeepLastN") return negative(policy.value, "policyKeepLastN");
  if (policy?.case !== "policyTimeBucketed") return [];
  const counts = policy.value;
  return (["hourly", "daily", "weekly", "monthly", "yearly", "keepLastN"] as const).flatMap((f) =>
    negative(counts[f], `policyTimeBucketed.${f}`),
  );
}

function validateUsers(cfg: Config): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  cfg.auth?.users.forEach((user, i) => {
    const path = `auth.users[${i}]`;
    const first = seen.get(user.name);
    if (user.name === "") {
      issues.push({ path: `${path}.name`, message: "user has no name; set a login name" });
    } else if (first !== undefined) {
      issues.push({
        path: `${path}.name`,
        message: `user name "${user.name}" is already used by auth.users[${first}]; choose a unique name`,
      });
    } else {
      seen.set(user.name, i);
    }
    if (!isRole(user.role)) {
      issues.push({
        path: `${path}.role`,
        message: `role "${user.role}" is unknown; use ${ROLES.map((r) => `"${r}"`).join(", ")} (empty means admin)`,
      });
    }
    const hash = user.password.case === "passwordBcrypt" ? user.password.value : "";
    // A leftover redaction marker is reported once, by findRedactionMarkers.
    if (!hash.includes(REDACTED) && !isBase64Bcrypt(hash)) {
      issues.push({
        path: `${path}.passwordBcrypt`,
        message:
          "passwordBcrypt must be the base64 encoding of a bcrypt hash (starting with $2); set the password again",
      });
    }
  });
  const users = cfg.auth?.users ?? [];
  if (!cfg.auth?.disabled && users.length > 0 && !users.some((u) => roleOf(u.role) === "admin")) {
    issues.push({
      path: "auth.users",
      message:
        "no user is an admin, so nobody could change the config again; make one user an admin",
    });
  }
  return issues;
}

function isBase64Bcrypt(value: string): boolean {
  if (value === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, "base64").toString("latin1").startsWith("$2");
}
