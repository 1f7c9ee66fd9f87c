/** `restwell ops`: the operation log, newest last. */

import type { Operation } from "../../gen/v1/operations_pb.js";
import { OperationListSchema } from "../../gen/v1/operations_pb.js";
import {
  COMMON_HELP,
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  flag,
  parseCommand,
  usageError,
} from "./args.js";
import { type Command, printHelp, wantsJson, withDaemon } from "./command.js";
import { EXIT } from "./context.js";
import { formatDuration, formatTime, operationKind, statusName, truncate } from "./format.js";
import { writeMessage, writeTable } from "./output.js";

const HELP = `Usage: restwell ops [options]

Lists operations (backups, snapshots found, forgets, restores, hooks...), oldest first.

Options:
  --plan PLAN           only this plan's operations
  --repo REPO           only this repository's operations
  --last N              only the newest N (default 20; 0 for all)
  --before ID           only operations older than operation ID (the next page: pass the
                        smallest ID shown)
${COMMON_HELP}
${CONNECTION_HELP}`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  plan: { type: "string" },
  repo: { type: "string" },
  last: { type: "string" },
  before: { type: "string" },
} as const;

const DEFAULT_LAST = 20;

export const opsCommand: Command = {
  name: "ops",
  help: HELP,
  async run(args, ctx) {
    const parsed = parseCommand(args, OPTIONS, HELP, { min: 0, max: 0 });
    if (parsed === "help") return printHelp(ctx, HELP);
    const lastText = flag(parsed.values, "last");
    if (lastText !== undefined && !/^[0-9]+$/.test(lastText))
      throw usageError(`--last must be a number, not "${lastText}"`, HELP);
    const beforeText = flag(parsed.values, "before");
    if (beforeText !== undefined && !/^[1-9][0-9]*$/.test(beforeText))
      throw usageError(`--before must be an operation id, not "${beforeText}"`, HELP);
    const planId = flag(parsed.values, "plan");
    const repoId = flag(parsed.values, "repo");
    return withDaemon(parsed.values, ctx, async ({ client }) => {
      const list = await client.backrest.getOperations({
        selector: {
          ...(planId ? { planId } : {}),
          ...(repoId ? { repoId } : {}),
          ...(beforeText ? { beforeId: BigInt(beforeText) } : {}),
        },
        lastN: BigInt(lastText ?? DEFAULT_LAST),
      });
      if (wantsJson(parsed.values)) writeMessage(ctx.stdout, OperationListSchema, list);
      else if (list.operations.length === 0) ctx.stdout.write("no operations\n");
      else writeTable(ctx.stdout, HEADERS, list.operations.map(row));
      return EXIT.OK;
    });
  },
};

const HEADERS = ["ID", "TYPE", "STATUS", "PLAN", "REPO", "STARTED", "DURATION", "DETAILS"];

function row(op: Operation): string[] {
  const start = Number(op.unixTimeStartMs);
  const end = Number(op.unixTimeEndMs);
  return [
    op.id.toString(),
    operationKind(op),
    statusName(op.status),
    op.planId || "-",
    op.repoId || "-",
    formatTime(start),
    start && end >= start ? formatDuration((end - start) / 1000) : "-",
    truncate(details(op), 60),
  ];
}

function details(op: Operation): string {
  if (op.displayMessage) return op.displayMessage;
  if (op.snapshotId) return `snapshot ${op.snapshotId.slice(0, 8)}`;
  if (op.op.case === "operationRestore") return `${op.op.value.path} -> ${op.op.value.target}`;
  return "";
}
