/**
 * A long-running install's operation log, generated: plans backing up round the clock to a
 * few repositories, each backup a flow of its hook runs, the backup with restic's summary, a
 * forget by the plan's retention and the index of the new snapshot; failed, cancelled and
 * warning backups in between; daily stats and weekly prune and check runs per repository.
 * Deterministic for a seed, so a cached file can be trusted and a test can check its shape.
 */
import { create } from "@bufbuild/protobuf";
import { Hook_Condition, RetentionPolicySchema } from "../../gen/v1/config_pb.js";
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import type { ResticSnapshot } from "../../gen/v1/restic_pb.js";

/** Bump when the generated history changes, so cached files are rebuilt. */
export const HISTORY_VERSION = 1;

export const DAY_MS = 86_400_000;
/** Snapshots younger than this (at the end of the history) are kept by every plan's retention. */
export const KEEP_WITHIN_MS = 3 * DAY_MS;

/** What to generate. */
export interface HistoryShape {
  /** Exactly this many operations. */
  operations: number;
  plans: number;
  repos: number;
  /** The history spans this many days and ends at endMs. */
  days: number;
  endMs: number;
  seed: number;
  /** The instance id every operation carries. */
  instance: string;
}

/** A repository of the generated install. */
export interface HistoryRepo {
  id: string;
  guid: string;
}

/** A plan of the generated install. */
export interface HistoryPlan {
  id: string;
  repoId: string;
  paths: string[];
}

/** The repositories and plans the operations belong to. */
export interface HistoryLayout {
  repos: HistoryRepo[];
  plans: HistoryPlan[];
}

/** mulberry32: small, fast and good enough to vary sizes and outcomes. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, chars: number): string {
  let s = "";
  while (s.length < chars) {
    s += Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, "0");
  }
  return s.slice(0, chars);
}

/** Repositories repo-1..R (guids from the seed) and plans plan-01..P spread over them. */
export function historyLayout(shape: HistoryShape): HistoryLayout {
  const random = createRandom(shape.seed ^ 0x5eed);
  const repos = Array.from({ length: shape.repos }, (_, i) => ({
    id: `repo-${i + 1}`,
    guid: hex(random, 64),
  }));
  const width = String(shape.plans).length;
  const plans = Array.from({ length: shape.plans }, (_, i) => {
    const id = `plan-${String(i + 1).padStart(width, "0")}`;
    return { id, repoId: (repos[i % repos.length] as HistoryRepo).id, paths: [`/srv/${id}`] };
  });
  return { repos, plans };
}

/** How a backup ended. */
function outcome(r: number): OperationStatus {
  if (r < 0.02) return OperationStatus.STATUS_ERROR;
  if (r < 0.06) return OperationStatus.STATUS_WARNING;
  if (r < 0.065) return OperationStatus.STATUS_USER_CANCELLED;
  if (r < 0.067) return OperationStatus.STATUS_SYSTEM_CANCELLED;
  return OperationStatus.STATUS_SUCCESS;
}

/** A snapshot a plan still holds, until its retention forgets it. */
interface HeldSnapshot {
  snapshot: ResticSnapshot;
  weekly: boolean;
}

/** Per plan: how big its backups are and which snapshots it holds. */
interface PlanState {
  plan: HistoryPlan;
  bytes: number;
  files: number;
  held: HeldSnapshot[];
  lastWeek: number;
  parent: string;
}

/** The retention every plan's forget reports (what the generated forgets approximate). */
const RETENTION = create(RetentionPolicySchema, {
  policy: { case: "policyTimeBucketed", value: { hourly: 72, weekly: 52 } },
});

/**
 * Builds operations with ids assigned in creation order from `firstId` (flow ids pointing at
 * each flow's backup), as the daemon would have created them. `at` of each flow is its start.
 */
export function createHistoryBuilder(
  shape: HistoryShape,
  layout = historyLayout(shape),
  firstId = 1n,
) {
  const random = createRandom(shape.seed);
  const guidOf = new Map(layout.repos.map((r) => [r.id, r.guid]));
  const plans: PlanState[] = layout.plans.map((plan) => ({
    plan,
    bytes: Math.floor(2e9 + random() * 2e11),
    files: Math.floor(5_000 + random() * 500_000),
    held: [],
    lastWeek: -1,
    parent: "",
  }));
  let nextId = firstId - 1n;
  const base = (planId: string, repoId: string, at: number) => ({
    id: ++nextId,
    repoId,
    repoGuid: guidOf.get(repoId) ?? "",
    planId,
    instanceId: shape.instance,
    status: OperationStatus.STATUS_SUCCESS,
    unixTimeStartMs: BigInt(Math.round(at)),
  });
  const hook = (parent: Operation, condition: Hook_Condition, at: number) =>
    create(OperationSchema, {
      ...base(parent.planId, parent.repoId, at),
      flowId: parent.flowId,
      unixTimeEndMs: BigInt(Math.round(at + 150 + random() * 400)),
      op: { case: "operationRunHook", value: { parentOp: parent.id, name: "notify", condition } },
    });

  /** One backup of plan `index` starting at `at`: 2 to 5 operations. */
  function backupFlow(index: number, at: number): Operation[] {
    const state = plans[index % plans.length] as PlanState;
    const { plan } = state;
    const status = outcome(random());
    const failed =
      status !== OperationStatus.STATUS_SUCCESS && status !== OperationStatus.STATUS_WARNING;
    const seconds = 20 + (state.bytes / 2e11) * 500 * (0.6 + random() * 0.8);
    const end = at + (failed ? seconds * 300 * random() : seconds * 1000);
    const id = nextId + 1n;
    const snapshotId = failed ? "" : hex(random, 64);
    const backup = create(OperationSchema, {
      ...base(plan.id, plan.repoId, at),
      flowId: id,
      status,
      snapshotId,
      unixTimeEndMs: BigInt(Math.round(end)),
      displayMessage: failed ? failureMessage(status) : "",
      op: {
        case: "operationBackup",
        value: failed
          ? {}
          : {
              lastStatus: {
                entry: { case: "summary", value: summary(state, snapshotId, seconds) },
              },
              errors: status === OperationStatus.STATUS_WARNING ? readErrors(plan) : [],
            },
      },
    });
    const start = hook(backup, Hook_Condition.SNAPSHOT_START, at);
    if (failed) {
      return status === OperationStatus.STATUS_ERROR
        ? [backup, start, hook(backup, Hook_Condition.SNAPSHOT_ERROR, end)]
        : [backup, start];
    }
    const snapshot = snapshotOf(state, snapshotId, at);
    return [
      backup,
      start,
      hook(backup, Hook_Condition.SNAPSHOT_END, end),
      forget(state, backup, end + 500),
      indexOp(state, backup, snapshot, end + 2_000),
    ];
  }

  function summary(state: PlanState, snapshotId: string, seconds: number) {
    const changed = Math.floor(state.files * 0.002 * (1 + random() * 4));
    return {
      filesNew: BigInt(Math.floor(changed / 3)),
      filesChanged: BigInt(changed),
      filesUnmodified: BigInt(state.files - changed),
      dirsNew: BigInt(Math.floor(random() * 20)),
      dirsChanged: BigInt(Math.floor(random() * 200)),
      dirsUnmodified: BigInt(Math.floor(state.files / 40)),
      dataBlobs: BigInt(changed * 2),
      treeBlobs: BigInt(Math.floor(random() * 300)),
      dataAdded: BigInt(Math.floor(state.bytes * 0.001 * (0.2 + random() * 3))),
      totalFilesProcessed: BigInt(state.files),
      totalBytesProcessed: BigInt(state.bytes),
      totalDuration: Math.round(seconds * 1000) / 1000,
      snapshotId,
    };
  }

  function snapshotOf(state: PlanState, id: string, at: number): ResticSnapshot {
    const { plan } = state;
    const snapshot = {
      id,
      shortId: id.slice(0, 8),
      unixTimeMs: BigInt(Math.round(at)),
      hostname: "backup-host",
      username: "root",
      tree: hex(random, 64),
      parent: state.parent,
      paths: plan.paths,
      tags: [`plan:${plan.id}`, `created-by:${shape.instance}`],
      planId: plan.id,
    } as ResticSnapshot;
    state.parent = id;
    return snapshot;
  }

  /** The plan's retention: keeps the last KEEP_WITHIN_MS and the first snapshot of each week. */
  function forget(state: PlanState, backup: Operation, at: number): Operation {
    const cutoff = at - KEEP_WITHIN_MS;
    const forgotten: ResticSnapshot[] = [];
    while (
      state.held.length > 0 &&
      Number((state.held[0] as HeldSnapshot).snapshot.unixTimeMs) < cutoff
    ) {
      const held = state.held.shift() as HeldSnapshot;
      if (!held.weekly) forgotten.push(held.snapshot);
    }
    return create(OperationSchema, {
      ...base(backup.planId, backup.repoId, at),
      flowId: backup.flowId,
      unixTimeEndMs: BigInt(Math.round(at + 800 + random() * 2_000)),
      op: { case: "operationForget", value: { forget: forgotten, policy: RETENTION } },
    });
  }

  function indexOp(state: PlanState, backup: Operation, snapshot: ResticSnapshot, at: number) {
    const week = Math.floor(Number(snapshot.unixTimeMs) / (7 * DAY_MS));
    const weekly = week !== state.lastWeek;
    state.lastWeek = week;
    state.held.push({ snapshot, weekly });
    // Its final state: what the plan's retention has forgotten by the end of the history.
    const forgot = !weekly && Number(snapshot.unixTimeMs) < shape.endMs - KEEP_WITHIN_MS;
    return create(OperationSchema, {
      ...base(backup.planId, backup.repoId, at),
      flowId: backup.flowId,
      snapshotId: snapshot.id,
      unixTimeEndMs: BigInt(Math.round(at)),
      op: { case: "operationIndexSnapshot", value: { snapshot, forgot } },
    });
  }

  /** A repository's maintenance run: stats (with sizes growing over time), prune or check. */
  function repoTask(repoIndex: number, kind: RepoTaskKind, at: number, day: number): Operation {
    const repo = layout.repos[repoIndex % layout.repos.length] as HistoryRepo;
    const size = BigInt(Math.floor(5e11 + day * 2e9 * (1 + repoIndex)));
    const stats = {
      totalSize: size,
      totalUncompressedSize: (size * 16n) / 10n,
      compressionRatio: 1.6,
      totalBlobCount: size / 1_000_000n,
      snapshotCount: BigInt(layout.plans.length * 100),
      restoreSize: size * 40n,
      totalFileCount: BigInt(2_000_000 + day * 1_000),
    };
    const fields = base("", repo.id, at);
    return create(OperationSchema, {
      ...fields,
      flowId: fields.id,
      unixTimeEndMs: BigInt(
        Math.round(at + (kind === "stats" ? 20_000 : 600_000) * (0.5 + random())),
      ),
      op:
        kind === "stats"
          ? { case: "operationStats", value: { stats } }
          : kind === "prune"
            ? { case: "operationPrune", value: {} }
            : { case: "operationCheck", value: {} },
    });
  }

  return { backupFlow, repoTask };
}

type RepoTaskKind = "stats" | "prune" | "check";

function failureMessage(status: OperationStatus): string {
  if (status === OperationStatus.STATUS_ERROR)
    return "restic backup failed: Fatal: unable to open repository: connection refused";
  if (status === OperationStatus.STATUS_USER_CANCELLED) return "cancelled by the user";
  return "cancelled: the daemon was shutting down";
}

function readErrors(plan: HistoryPlan) {
  return [
    { item: `${plan.paths[0]}/cache/lockfile`, during: "archival", message: "permission denied" },
    { item: `${plan.paths[0]}/tmp/socket`, during: "scan", message: "file vanished" },
  ];
}

/**
 * Every operation of the history, oldest first, ids 1..N: backups of the plans in turn, and
 * once a day per repository a stats run, once a week a prune and a check. Flows start at times
 * spread evenly over the span by operation count, so each plan backs up at a steady cadence.
 */
export function* generateHistory(shape: HistoryShape): Generator<Operation> {
  const layout = historyLayout(shape);
  const builder = createHistoryBuilder(shape, layout);
  const startMs = shape.endMs - shape.days * DAY_MS;
  const span = shape.endMs - startMs;
  let emitted = 0;
  let flow = 0;
  let nextRepoDay = 0;
  while (emitted < shape.operations) {
    const at = startMs + (span * emitted) / shape.operations;
    const ops: Operation[] = [];
    // Repository maintenance due by now, each repo an hour apart.
    while (startMs + nextRepoDay * DAY_MS <= at) {
      layout.repos.forEach((_, r) => {
        const when = startMs + nextRepoDay * DAY_MS + r * 3_600_000;
        ops.push(builder.repoTask(r, "stats", when, nextRepoDay));
        if (nextRepoDay % 7 === r % 7) {
          ops.push(builder.repoTask(r, "prune", when + 600_000, nextRepoDay));
          ops.push(builder.repoTask(r, "check", when + 1_800_000, nextRepoDay));
        }
      });
      nextRepoDay++;
    }
    ops.push(...builder.backupFlow(flow++, at));
    for (const op of ops) {
      if (emitted === shape.operations) return;
      emitted++;
      yield op;
    }
  }
}

/**
 * One backup flow per plan, the plans a second apart from `atMs`, with ids from `firstId`: the
 * runs of a daemon that was running until just now, appended to a cached history.
 */
export function recentFlows(shape: HistoryShape, firstId: bigint, atMs: number): Operation[] {
  const layout = historyLayout(shape);
  const builder = createHistoryBuilder({ ...shape, seed: shape.seed + 1 }, layout, firstId);
  return layout.plans.flatMap((_, i) => builder.backupFlow(i, atMs + i * 1000));
}
