/** Forgetting snapshots: one by id, or a plan's retention policy over that plan's snapshots only. */
import { create } from "@bufbuild/protobuf";
import type { Plan, RetentionPolicy } from "../../../gen/v1/config_pb.js";
import { RetentionPolicySchema } from "../../../gen/v1/config_pb.js";
import { NotFoundError } from "../../errors.js";
import type { ForgetOptions } from "../../restic/types.js";
import type { TaskContext } from "../runner.js";
import { backupTags } from "../snapshot-tags.js";
import { toResticSnapshot } from "../snapshots.js";

/** restic keep rules for a retention policy; undefined when it keeps everything (or is unset). */
export function keepRules(policy: RetentionPolicy | undefined): ForgetOptions["keep"] | undefined {
  switch (policy?.policy.case) {
    case "policyKeepLastN":
      return policy.policy.value > 0 ? { last: policy.policy.value } : undefined;
    case "policyTimeBucketed": {
      const b = policy.policy.value;
      const keep = {
        last: b.keepLastN,
        hourly: b.hourly,
        daily: b.daily,
        weekly: b.weekly,
        monthly: b.monthly,
        yearly: b.yearly,
      };
      return Object.values(keep).some((n) => n > 0) ? keep : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * restic's grouping of a plan's snapshots for retention: by their tags, so the snapshots of
 * each database source (tagged with it, see snapshot-tags.ts) and those of the plan's paths
 * are kept apart, and the policy keeps its count of each. retention-preview.ts groups the same.
 */
export const RETENTION_GROUP_BY = "tags";

/** Applies a plan's retention policy to the snapshots carrying its plan and instance tags. */
export function forgetByPolicyTask(plan: Plan) {
  return async (ctx: TaskContext): Promise<void> => {
    if (ctx.op.op.case !== "operationForget") return;
    ctx.op.op.value.policy = plan.retention ?? create(RetentionPolicySchema);
    const keep = keepRules(plan.retention);
    if (!keep) {
      ctx.op.displayMessage = "the plan's retention policy keeps every snapshot";
      return;
    }
    const groups = await ctx.deps.restic.forget(
      ctx.target,
      { keep, tags: backupTags(plan.id, ctx.cfg.instance), groupBy: RETENTION_GROUP_BY },
      { signal: ctx.signal },
    );
    ctx.op.op.value.forget = groups.flatMap((g) => g.remove).map(toResticSnapshot);
  };
}

/** Forgets the given snapshots (by id). */
export function forgetSnapshotsTask(snapshotIds: string[]) {
  return async (ctx: TaskContext): Promise<void> => {
    if (ctx.op.op.case !== "operationForget") return;
    const known = await ctx.deps.restic.snapshots(ctx.target, undefined, { signal: ctx.signal });
    const forgotten = known.filter((s) => snapshotIds.some((id) => s.id.startsWith(id)));
    const missing = snapshotIds.filter((id) => !forgotten.some((s) => s.id.startsWith(id)));
    if (missing[0] !== undefined) throw new NotFoundError("snapshot", missing[0]);
    await ctx.deps.restic.forget(
      ctx.target,
      { snapshotIds: forgotten.map((s) => s.id) },
      { signal: ctx.signal },
    );
    ctx.op.op.value.forget = forgotten.map(toResticSnapshot);
  };
}

/** Applies the retention policy of every given plan (all on one repository), in one operation. */
export function forgetPlansTask(plans: Plan[]) {
  return async (ctx: TaskContext): Promise<void> => {
    if (ctx.op.op.case !== "operationForget") return;
    const payload = ctx.op.op.value;
    for (const plan of plans) {
      const keep = keepRules(plan.retention);
      if (!keep) continue;
      const groups = await ctx.deps.restic.forget(
        ctx.target,
        { keep, tags: backupTags(plan.id, ctx.cfg.instance), groupBy: RETENTION_GROUP_BY },
        { signal: ctx.signal },
      );
      payload.forget.push(...groups.flatMap((g) => g.remove).map(toResticSnapshot));
    }
  };
}
