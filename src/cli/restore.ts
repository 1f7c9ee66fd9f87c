/** `restwell restore REPO SNAPSHOT PATH --target DIR`: restores a path and waits for it. */
import { type Operation, OperationSchema, OperationStatus } from "../../gen/v1/operations_pb.js";
import { COMMON_HELP, CONNECTION_HELP, CONNECTION_OPTIONS, flag, parseCommand } from "./args.js";
import { type Command, printHelp, wantsJson, withDaemon } from "./command.js";
import { type CliContext, EXIT } from "./context.js";
import { statusName } from "./format.js";
import { writeJson, writeMessage } from "./output.js";

const HELP = `Usage: restwell restore REPO SNAPSHOT PATH --target DIR [options]

Restores PATH (an absolute path inside the snapshot; / for everything) of snapshot SNAPSHOT
of repository REPO into DIR, on the daemon's machine, and waits until it is done. restic
keeps the full path below the target: /home/me/a restores to DIR/home/me/a. DIR must not
exist or be empty; without --target a new folder under the daemon's data directory is used.

Options:
  -t, --target DIR      where to restore (absolute path on the daemon's machine)
  --plan PLAN           the plan the snapshot belongs to (optional)
  --no-wait             start the restore and print its operation id
${COMMON_HELP}
${CONNECTION_HELP}`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  target: { type: "string", short: "t" },
  plan: { type: "string" },
  "no-wait": { type: "boolean" },
} as const;

export const restoreCommand: Command = {
  name: "restore",
  help: HELP,
  async run(args, ctx) {
    const parsed = parseCommand(args, OPTIONS, HELP, { min: 3, max: 3 });
    if (parsed === "help") return printHelp(ctx, HELP);
    const [repoId, snapshotId, path] = parsed.positionals as [string, string, string];
    const json = wantsJson(parsed.values);
    return withDaemon(parsed.values, ctx, async ({ client }) => {
      const started = await client.backrest.restore({
        repoId,
        snapshotId,
        path: path === "/" ? "" : path,
        target: flag(parsed.values, "target") ?? "",
        planId: flag(parsed.values, "plan") ?? "",
      });
      const id = started.operationId;
      if (parsed.values["no-wait"]) {
        if (json) writeJson(ctx.stdout, { operationId: id.toString() });
        else ctx.stdout.write(`${id}\n`);
        return EXIT.OK;
      }
      const op = await client.wait(id);
      if (json) writeMessage(ctx.stdout, OperationSchema, op);
      else report(ctx, op);
      return op.status === OperationStatus.STATUS_SUCCESS ? EXIT.OK : EXIT.FAILED;
    });
  },
};

function report(ctx: CliContext, op: Operation): void {
  const restore = op.op.case === "operationRestore" ? op.op.value : undefined;
  const what = `restore of ${restore?.path || "/"} from snapshot ${(restore?.snapshotId || op.snapshotId).slice(0, 8)}`;
  if (op.status === OperationStatus.STATUS_SUCCESS) {
    ctx.stdout.write(`${what} done: files are in ${restore?.target ?? "?"} (operation ${op.id})\n`);
    return;
  }
  const reason = op.displayMessage ? `: ${op.displayMessage}` : "";
  ctx.stderr.write(
    `restwell: ${what} ended ${statusName(op.status)}${reason} (operation ${op.id})\n`,
  );
}
