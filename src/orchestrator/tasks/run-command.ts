/** A restic command run on a user's request, with its output kept as the operation's log. */
import { OperationStatus } from "../../../gen/v1/operations_pb.js";
import type { TaskContext } from "../runner.js";

export function runCommandTask(args: string[]) {
  return async (ctx: TaskContext): Promise<void> => {
    if (ctx.op.op.case !== "operationRunCommand") return;
    const payload = ctx.op.op.value;
    const log = ctx.log();
    payload.outputLogref = ctx.op.logref;
    const { exitCode } = await ctx.deps.restic.command(ctx.target, args, {
      signal: ctx.signal,
      onOutput: (line) => log.write(`${line}\n`),
    });
    payload.exitCode = exitCode;
    if (exitCode !== 0) {
      ctx.op.status = OperationStatus.STATUS_ERROR;
      ctx.op.displayMessage = `restic exited with code ${exitCode}; see the command's log`;
    }
  };
}
