/** `restic forget --json`: its argv (ids or a keep policy) and its groups of kept and removed snapshots. */
import { badOutputError } from "./classify.js";
import { type InvokeContext, invoke } from "./invoke.js";
import { isJsonObject, type JsonObject, stringArrayField, stringField } from "./json-lines.js";
import { toSnapshot } from "./snapshots.js";
import type { CallOptions, ForgetGroup, ForgetOptions, ResticRepo, Snapshot } from "./types.js";

type KeepRule = keyof NonNullable<ForgetOptions["keep"]>;

const KEEP_FLAGS: [KeepRule, string][] = [
  ["last", "--keep-last"],
  ["hourly", "--keep-hourly"],
  ["daily", "--keep-daily"],
  ["weekly", "--keep-weekly"],
  ["monthly", "--keep-monthly"],
  ["yearly", "--keep-yearly"],
];

/** `--keep-x=N` for each rule of at least 1 (fractions are rounded down). */
export function keepRuleArgs(keep: ForgetOptions["keep"] = {}): string[] {
  return KEEP_FLAGS.flatMap(([rule, flag]) => {
    const count = Math.floor(keep[rule] ?? 0);
    return count >= 1 ? [`${flag}=${count}`] : [];
  });
}

/**
 * The argv of a forget, or undefined when there is nothing to forget: no ids and no keep
 * rule. restic refuses (newer) or ignores (0.14) a policy without rules, and running it
 * would only cost a repository lock. With ids, the policy and tags are not used:
 * `forget --json [--dry-run] -- ids...`. Otherwise `forget --json [--dry-run] [--tag=a,b]
 * --group-by=<g> --keep-x=N...`; restic joins a `--tag` value's tags with AND.
 */
export function forgetArgs(forget: ForgetOptions): string[] | undefined {
  const dryRun = forget.dryRun ? ["--dry-run"] : [];
  const ids = forget.snapshotIds ?? [];
  if (ids.length > 0) return ["forget", "--json", ...dryRun, "--", ...ids];
  const rules = keepRuleArgs(forget.keep);
  if (rules.length === 0) return undefined;
  const tags = forget.tags ?? [];
  return [
    "forget",
    "--json",
    ...dryRun,
    ...(tags.length > 0 ? [`--tag=${tags.join(",")}`] : []),
    `--group-by=${forget.groupBy ?? ""}`,
    ...rules,
  ];
}

/**
 * Parses forget's stdout: a JSON array of groups. restic prints nothing when no snapshot
 * was selected, and with explicit ids 0.14 prints nothing at all; both yield []. Text that
 * is not such an array yields undefined. restic prints `null` for empty lists.
 */
export function parseForgetOutput(text: string): ForgetGroup[] | undefined {
  if (text.trim() === "") return [];
  const line = text.split("\n").find((l) => l.trimStart().startsWith("["));
  if (line === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return Array.isArray(value) ? value.filter(isJsonObject).map(toForgetGroup) : undefined;
}

/** Maps one group; null lists become []. */
export function toForgetGroup(obj: JsonObject): ForgetGroup {
  return {
    tags: stringArrayField(obj, "tags"),
    host: stringField(obj, "host"),
    paths: stringArrayField(obj, "paths"),
    keep: snapshotList(obj.keep),
    remove: snapshotList(obj.remove),
  };
}

function snapshotList(value: unknown): Snapshot[] {
  return Array.isArray(value) ? value.filter(isJsonObject).map(toSnapshot) : [];
}

/**
 * Runs the forget, or nothing when `forgetArgs` says there is nothing to forget (then []).
 * With explicit ids the result is whatever groups restic prints: [] on 0.14.
 */
export async function runForget(
  ctx: InvokeContext,
  repo: ResticRepo,
  forget: ForgetOptions,
  opts?: CallOptions,
): Promise<ForgetGroup[]> {
  const args = forgetArgs(forget);
  if (!args) return [];
  const byIds = (forget.snapshotIds ?? []).length > 0;
  const { outcome, run } = await invoke(ctx, repo, {
    subcommand: "forget",
    args,
    signal: opts?.signal,
  });
  const groups = parseForgetOutput(outcome.stdout);
  if (groups) return groups;
  // 0.14 answers explicit ids with text ("removed snapshot ...") in some modes; they are gone either way.
  if (byIds) return [];
  throw badOutputError(run, "printed a result that is not a JSON list of groups");
}
