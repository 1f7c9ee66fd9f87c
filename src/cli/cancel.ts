/** `restwell cancel OP`: cancels a pending or running operation. */
import {
  COMMON_HELP,
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  parseCommand,
  parseOperationId,
} from "./args.js";
import { type Command, printHelp, wantsJson, withDaemon } from "./command.js";
import { EXIT } from "./context.js";
import { writeJson } from "./output.js";

const HELP = `Usage: restwell cancel OP [options]

Cancels operation OP (an id from \`restwell ops\` or \`restwell backup --no-wait\`) if it is
pending or running. It ends as user-cancelled; a running restic is stopped.

Options:
${COMMON_HELP}
${CONNECTION_HELP}`;

export const cancelCommand: Command = {
  name: "cancel",
  help: HELP,
  async run(args, ctx) {
    const parsed = parseCommand(args, CONNECTION_OPTIONS, HELP, { min: 1, max: 1 });
    if (parsed === "help") return printHelp(ctx, HELP);
    const id = parseOperationId(parsed.positionals[0] as string, HELP);
    return withDaemon(parsed.values, ctx, async ({ client }) => {
      await client.backrest.cancel({ operationId: id });
      if (wantsJson(parsed.values)) writeJson(ctx.stdout, { cancelled: id.toString() });
      else ctx.stdout.write(`cancelled operation ${id}\n`);
      return EXIT.OK;
    });
  },
};
