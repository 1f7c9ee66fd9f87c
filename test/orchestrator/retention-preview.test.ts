/**
 * The retention preview decides like restic's forget: checked against restic itself (forget
 * --dry-run) on the same snapshot times, and on hand-made cases.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import {
  RetentionPolicy_TimeBucketedCountsSchema,
  RetentionPolicySchema,
} from "../../gen/v1/config_pb.js";
import { previewRetention } from "../../src/orchestrator/retention-preview.js";
import { initRepo, restic } from "../helpers/data.js";
import { tempDir } from "../helpers/temp.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function snaps(times: number[]) {
  return times.map((t, i) => ({ id: `s${i}`, unixTimeMs: t }));
}

function kept(decisions: ReturnType<typeof previewRetention>): string[] {
  return decisions.filter((d) => d.keep).map((d) => d.snapshot.id);
}

const lastN = (n: number) =>
  create(RetentionPolicySchema, { policy: { case: "policyKeepLastN", value: n } });
const buckets = (
  counts: Partial<
    Record<"hourly" | "daily" | "weekly" | "monthly" | "yearly" | "keepLastN", number>
  >,
) =>
  create(RetentionPolicySchema, {
    policy: {
      case: "policyTimeBucketed",
      value: create(RetentionPolicy_TimeBucketedCountsSchema, counts),
    },
  });

describe("retention preview", () => {
  const base = new Date(2024, 5, 10, 12, 0, 0).getTime();

  it("keeps the newest n with keep-last, newest first", () => {
    const d = previewRetention(
      snaps([base, base + HOUR, base + 2 * HOUR, base + 3 * HOUR]),
      lastN(2),
    );
    assert.deepEqual(
      d.map((x) => x.snapshot.id),
      ["s3", "s2", "s1", "s0"],
    );
    assert.deepEqual(kept(d), ["s3", "s2"]);
    assert.deepEqual(d[0]?.reasons, ["last snapshot"]);
    assert.deepEqual(d[3]?.reasons, []);
  });

  it("keeps the newest snapshot of each day, for n days", () => {
    const times = [base, base + HOUR, base + DAY, base + DAY + HOUR, base + 2 * DAY];
    assert.deepEqual(kept(previewRetention(snaps(times), buckets({ daily: 2 }))), ["s4", "s3"]);
  });

  it("combines rules and reports each reason", () => {
    const times = [base - 40 * DAY, base - 2 * DAY, base - DAY, base];
    const d = previewRetention(snaps(times), buckets({ keepLastN: 1, daily: 2, monthly: 2 }));
    assert.deepEqual(kept(d), ["s3", "s2", "s0"]);
    assert.deepEqual(d[0]?.reasons, ["last snapshot", "daily snapshot", "monthly snapshot"]);
    assert.deepEqual(d[3]?.reasons, ["monthly snapshot"]);
  });

  it("keeps everything without rules", () => {
    const d = previewRetention(snaps([base, base + 1]), undefined);
    assert.deepEqual(kept(d), ["s1", "s0"]);
    const all = create(RetentionPolicySchema, { policy: { case: "policyKeepAll", value: true } });
    assert.equal(kept(previewRetention(snaps([base, base + 1]), all)).length, 2);
    assert.equal(kept(previewRetention(snaps([base, base + 1]), buckets({}))).length, 2);
  });

  it("matches restic forget --dry-run on the same snapshot times", async () => {
    const repo = join(tempDir(), "repo");
    await initRepo(repo);
    const source = tempDir();
    // Snapshots over ~6 weeks, some on the same day and hour, across a month boundary.
    const offsets = [
      0,
      0.5,
      1,
      3,
      25,
      26,
      49,
      50,
      24 * 3,
      24 * 9,
      24 * 15,
      24 * 22,
      24 * 30,
      24 * 41,
    ];
    const times = offsets.map((h) => base - h * HOUR);
    for (const t of times) {
      const stamp = new Date(t);
      const pad = (n: number) => String(n).padStart(2, "0");
      const when = `${stamp.getFullYear()}-${pad(stamp.getMonth() + 1)}-${pad(stamp.getDate())} ${pad(stamp.getHours())}:${pad(stamp.getMinutes())}:${pad(stamp.getSeconds())}`;
      const r = await restic(repo, ["backup", "--json", "--time", when, source]);
      assert.equal(r.exitCode, 0, r.stderr);
    }
    const listed = JSON.parse((await restic(repo, ["snapshots", "--json"])).stdout) as {
      id: string;
      time: string;
    }[];
    const policies = [
      { args: ["--keep-last=3"], policy: lastN(3) },
      { args: ["--keep-daily=4", "--keep-weekly=2"], policy: buckets({ daily: 4, weekly: 2 }) },
      {
        args: ["--keep-hourly=3", "--keep-monthly=2", "--keep-last=1"],
        policy: buckets({ hourly: 3, monthly: 2, keepLastN: 1 }),
      },
    ];
    for (const { args, policy } of policies) {
      const r = await restic(repo, ["forget", "--dry-run", "--json", "--group-by=", ...args]);
      assert.equal(r.exitCode, 0, r.stderr);
      const line = r.stdout.split("\n").find((l) => l.startsWith("[")) ?? "[]";
      const groups = JSON.parse(line) as { keep: { id: string }[] | null }[];
      const resticKeeps = groups.flatMap((g) => (g.keep ?? []).map((s) => s.id)).sort();
      const ours = kept(
        previewRetention(
          listed.map((s) => ({ id: s.id, unixTimeMs: Date.parse(s.time) })),
          policy,
        ),
      ).sort();
      assert.deepEqual(ours, resticKeeps, args.join(" "));
    }
  });

  it("groups by tags like restic forget --group-by tags: each source of a plan is kept apart", async () => {
    const repo = join(tempDir(), "repo");
    await initRepo(repo);
    const source = tempDir();
    const plan = ["plan:p", "created-by:h"];
    // The paths' snapshots, and two database sources' (tags given in another order too).
    const tagSets = [plan, [...plan, "restwell:source:db:a"], ["restwell:source:db:b", ...plan]];
    const offsets = [0, 1, 2, 5, 26, 27, 50, 24 * 8, 24 * 9];
    let n = 0;
    for (const h of offsets) {
      const tags = tagSets[n++ % tagSets.length] ?? plan;
      const stamp = new Date(base - h * HOUR);
      const pad = (x: number) => String(x).padStart(2, "0");
      const when = `${stamp.getFullYear()}-${pad(stamp.getMonth() + 1)}-${pad(stamp.getDate())} ${pad(stamp.getHours())}:00:00`;
      const r = await restic(repo, [
        "backup",
        "--json",
        "--time",
        when,
        ...tags.map((t) => `--tag=${t}`),
        source,
      ]);
      assert.equal(r.exitCode, 0, r.stderr);
    }
    const listed = JSON.parse((await restic(repo, ["snapshots", "--json"])).stdout) as {
      id: string;
      time: string;
      tags: string[];
    }[];
    const policies = [
      { args: ["--keep-last=1"], policy: lastN(1) },
      { args: ["--keep-daily=2"], policy: buckets({ daily: 2 }) },
    ];
    for (const { args, policy } of policies) {
      const r = await restic(repo, [
        "forget",
        "--dry-run",
        "--json",
        "--tag=plan:p,created-by:h",
        "--group-by=tags",
        ...args,
      ]);
      assert.equal(r.exitCode, 0, r.stderr);
      const line = r.stdout.split("\n").find((l) => l.startsWith("[")) ?? "[]";
      const groups = JSON.parse(line) as { keep: { id: string }[] | null }[];
      assert.equal(groups.length, 3, "restic made one group per source");
      const resticKeeps = groups.flatMap((g) => (g.keep ?? []).map((s) => s.id)).sort();
      const ours = kept(
        previewRetention(
          listed.map((s) => ({ id: s.id, unixTimeMs: Date.parse(s.time), tags: s.tags })),
          policy,
        ),
      ).sort();
      assert.deepEqual(ours, resticKeeps, args.join(" "));
    }
    // keep-last 1 keeps exactly one snapshot of each source.
    const one = kept(
      previewRetention(
        listed.map((s) => ({ id: s.id, unixTimeMs: Date.parse(s.time), tags: s.tags })),
        lastN(1),
      ),
    );
    assert.equal(one.length, 3);
  });
});
