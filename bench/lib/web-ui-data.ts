/**
 * The history the web UI benchmark renders: a config with a few plans on one repository and
 * an operation log of N operations written straight into the daemon's SQLite before it
 * starts, shaped like real history: flows of a backup, its two hook runs, a forget and an
 * index of the new snapshot, twice a day per plan, mostly successful.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Hook_Condition } from "../../gen/v1/config_pb.js";
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { openSqliteOpStore } from "../../src/oplog/sqlite-store.js";
import { PASSWORD } from "./cli.js";

/** Operations per flow (backup, two hooks, forget, index). */
const FLOW_SIZE = 5;
const DAY_MS = 86_400_000;

/** What was written. */
export interface WebUiData {
  configPath: string;
  dataDir: string;
  plans: string[];
  operations: number;
}

function statusOf(i: number): OperationStatus {
  if (i % 37 === 0) return OperationStatus.STATUS_ERROR;
  if (i % 23 === 0) return OperationStatus.STATUS_WARNING;
  return OperationStatus.STATUS_SUCCESS;
}

/** The operations of one flow; ids and flow ids are given by the store. */
function flow(planId: string, startMs: number, i: number): Operation[] {
  const status = statusOf(i);
  const base = {
    repoId: "local",
    planId,
    instanceId: "bench",
    status: OperationStatus.STATUS_SUCCESS,
  };
  const end = startMs + 40_000 + (i % 13) * 5_000;
  const snapshotId = `${i.toString(16).padStart(8, "0")}${"0".repeat(56)}`;
  const backup = create(OperationSchema, {
    ...base,
    status,
    snapshotId: status === OperationStatus.STATUS_ERROR ? "" : snapshotId,
    unixTimeStartMs: BigInt(startMs),
    unixTimeEndMs: BigInt(end),
    displayMessage:
      status === OperationStatus.STATUS_ERROR ? "restic could not read /srv/data" : "",
    op: {
      case: "operationBackup",
      value: {
        lastStatus: {
          entry: {
            case: "summary",
            value: {
              filesNew: BigInt(i % 50),
              dataAdded: BigInt(1_000_000 + (i % 97) * 250_000),
              totalFilesProcessed: 20_000n,
              totalBytesProcessed: 5_000_000_000n,
              totalDuration: (end - startMs) / 1000,
              snapshotId,
            },
          },
        },
      },
    },
  });
  const hook = (condition: Hook_Condition, at: number) =>
    create(OperationSchema, {
      ...base,
      unixTimeStartMs: BigInt(at),
      unixTimeEndMs: BigInt(at + 200),
      op: { case: "operationRunHook", value: { name: "notify", condition } },
    });
  return [
    hook(Hook_Condition.SNAPSHOT_START, startMs - 300),
    backup,
    hook(Hook_Condition.SNAPSHOT_END, end),
    create(OperationSchema, {
      ...base,
      unixTimeStartMs: BigInt(end + 300),
      unixTimeEndMs: BigInt(end + 1_500),
      op: { case: "operationForget", value: {} },
    }),
    create(OperationSchema, {
      ...base,
      snapshotId,
      unixTimeStartMs: BigInt(end + 1_600),
      unixTimeEndMs: BigInt(end + 1_700),
      op: {
        case: "operationIndexSnapshot",
        value: { snapshot: { id: snapshotId, planId, unixTimeMs: BigInt(startMs) } },
      },
    }),
  ];
}

/**
 * Writes config.json (auth off, `plans` plans on the repository at `repo`) and an operation
 * log of `operations` operations (rounded down to whole flows) into `dir`.
 */
export function writeWebUiData(
  dir: string,
  repo: string,
  operations: number,
  plans = 5,
): WebUiData {
  const planIds = Array.from({ length: plans }, (_, i) => `plan-${i + 1}`);
  const configPath = join(dir, "config.json");
  const dataDir = join(dir, "data");
  const config = {
    instance: "bench",
    repos: [{ id: "local", uri: repo, password: PASSWORD }],
    plans: planIds.map((id, i) => ({
      id,
      repo: "local",
      paths: [`/srv/data/${id}`],
      schedule: { cron: `${i * 7} 2 * * *` },
      retention: { policyKeepLastN: 30 },
    })),
    auth: { disabled: true },
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = openSqliteOpStore(join(dataDir, "oplog.sqlite"));
  const flows = Math.floor(operations / FLOW_SIZE);
  const now = Date.now();
  let written = 0;
  try {
    for (let i = 0; i < flows; i++) {
      const planId = planIds[i % plans] as string;
      // Oldest first: ids grow with time, as in a real log.
      // Two runs a day per plan, so the history stays within the daemon's 365 days.
      const startMs = now - Math.ceil((flows - i) / plans) * (DAY_MS / 2) + (i % plans) * 600_000;
      const [first, ...rest] = flow(planId, startMs, i);
      const [stored] = store.add(first as Operation);
      const flowId = stored?.id ?? 0n;
      written += 1 + store.add(...rest.map((op) => ({ ...op, flowId }))).length;
    }
  } finally {
    store.close();
  }
  return { configPath, dataDir, plans: planIds, operations: written };
}
