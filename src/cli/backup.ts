/** `restwell backup PLAN`: starts a plan's backup and follows it to the end with a progress bar. */
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { backupProgress } from "../client/index.js";
import { COMMON_HELP, CONNECTION_HELP, CONNECTION_OPTIONS, parseCommand } from "./args.js";
import { type Command, printHelp, wantsJson, withDaemon } from "./command.js";
import { type CliContext, EXIT } from "./context.js";
import { formatBytes, formatDuration, statusName } from "./format.js";
import { writeJson, writeMessage } from "./output.js";
import { createProgressReporter } from "./progress.js";

const HELP = `Usage: restwell backup PLAN [options]

Runs plan PLAN's backup on the daemon and waits until it has finished, showing its progress
(files, bytes, rate, time left) on stderr. Exits 0 on success (also when the plan's pause or
precondition skipped it), 3 when some files could not be read, 1 when the backup failed or
was cancelled.

Options:
  --no-wait             start the backup and print its operation id
  --dry-run             show what would be backed up, write no snapshot
  -q, --quiet           no progress output
${COMMON_HELP}
${CONNECTION_HELP}`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  "no-wait": { type: "boolean" },
  "dry-run": { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
} as const;

export const backupCommand: Command = {
  name: "backup",
  help: HELP,
  async run(args, ctx) {
    const parsed = parseCommand(args, OPTIONS, HELP, { min: 1, max: 1 });
    if (parsed === "help") return printHelp(ctx, HELP);
    const planId = parsed.positionals[0] as string;
    const json = wantsJson(parsed.values);
    return withDaemon(parsed.values, ctx, async ({ client }) => {
      const started = await client.backrest.startBackup({
        value: planId,
        dryRun: parsed.values["dry-run"] === true,
      });
      const id = started.operationId;
      if (parsed.values["no-wait"]) {
        if (json) writeJson(ctx.stdout, { operationId: id.toString() });
        else ctx.stdout.write(`${id}\n`);
        return EXIT.OK;
      }
      const progress = parsed.values.quiet ? undefined : createProgressReporter(ctx.stderr);
      let op: Operation;
      try {
        op = await client.wait(id, {
          onUpdate: progress
            ? (update) => {
                const status = backupProgress(update);
                if (status) progress.update(status);
              }
            : undefined,
        });
      } finally {
        progress?.end();
      }
      if (json) writeMessage(ctx.stdout, OperationSchema, op);
      else report(ctx, planId, op);
      return exitCodeOf(op);
    });
  },
};

/** The exit code of a finished backup. */
export function exitCodeOf(op: Operation): number {
  switch (op.status) {
    case OperationStatus.STATUS_SUCCESS:
    case OperationStatus.STATUS_SKIPPED:
      return EXIT.OK;
    case OperationStatus.STATUS_WARNING:
      return EXIT.WARNING;
    default:
      return EXIT.FAILED;
  }
}

function report(ctx: CliContext, planId: string, op: Operation): void {
  const ref = `(operation ${op.id})`;
  const summary =
    op.op.case === "operationBackup" && op.op.value.lastStatus?.entry.case === "summary"
      ? op.op.value.lastStatus.entry.value
      : undefined;
  const what = `backup of plan "${planId}"`;
  if (
    op.status === OperationStatus.STATUS_SUCCESS ||
    op.status === OperationStatus.STATUS_WARNING
  ) {
    const parts = [op.snapshotId ? `snapshot ${op.snapshotId.slice(0, 8)}` : "no snapshot"];
    if (summary) {
      parts.push(
        `${summary.totalFilesProcessed} files (${summary.filesNew} new, ${summary.filesChanged} changed)`,
        `${formatBytes(summary.totalBytesProcessed)} processed`,
        `${formatBytes(summary.dataAdded)} added`,
        `took ${formatDuration(summary.totalDuration)}`,
      );
    }
    const verdict =
      op.status === OperationStatus.STATUS_SUCCESS ? "succeeded" : "finished with warnings";
    ctx.stdout.write(`${what} ${verdict}: ${parts.join(", ")} ${ref}\n`);
    if (op.status === OperationStatus.STATUS_WARNING && op.displayMessage)
      ctx.stderr.write(`restwell: ${op.displayMessage}\n`);
    return;
  }
  const reason = op.displayMessage ? `: ${op.displayMessage}` : "";
  if (op.status === OperationStatus.STATUS_SKIPPED) {
    ctx.stdout.write(`${what} was skipped${reason} ${ref}\n`);
    return;
  }
  ctx.stderr.write(`restwell: ${what} ${outcome(op.status)}${reason} ${ref}\n`);
}

/** How a backup that did not succeed ended, as words. */
export function outcome(status: OperationStatus): string {
  switch (status) {
    case OperationStatus.STATUS_ERROR:
      return "failed";
    case OperationStatus.STATUS_USER_CANCELLED:
      return "was cancelled";
    case OperationStatus.STATUS_SYSTEM_CANCELLED:
      return "was stopped by the daemon (shutdown)";
    default:
      return `ended ${statusName(status)}`;
  }
}
