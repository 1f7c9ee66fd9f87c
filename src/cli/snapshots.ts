/** `restwell snapshots REPO`: a repository's snapshots, oldest first. */
import { ResticSnapshotListSchema } from "../../gen/v1/restic_pb.js";
import { COMMON_HELP, CONNECTION_HELP, CONNECTION_OPTIONS, flag, parseCommand } from "./args.js";
import { type Command, printHelp, wantsJson, withDaemon } from "./command.js";
import { EXIT } from "./context.js";
import { formatTime, truncate } from "./format.js";
import { writeMessage, writeTable } from "./output.js";

const HELP = `Usage: restwell snapshots REPO [options]

Lists the snapshots of repository REPO (not those in its recycle bin), oldest first.

Options:
  --plan PLAN           only this plan's snapshots
${COMMON_HELP}
${CONNECTION_HELP}`;

const OPTIONS = { ...CONNECTION_OPTIONS, plan: { type: "string" } } as const;

export const snapshotsCommand: Command = {
  name: "snapshots",
  help: HELP,
  async run(args, ctx) {
    const parsed = parseCommand(args, OPTIONS, HELP, { min: 1, max: 1 });
    if (parsed === "help") return printHelp(ctx, HELP);
    const repoId = parsed.positionals[0] as string;
    return withDaemon(parsed.values, ctx, async ({ client }) => {
      const list = await client.backrest.listSnapshots({
        repoId,
        planId: flag(parsed.values, "plan") ?? "",
      });
      if (wantsJson(parsed.values)) writeMessage(ctx.stdout, ResticSnapshotListSchema, list);
      else if (list.snapshots.length === 0) ctx.stdout.write(`no snapshots in ${repoId}\n`);
      else
        writeTable(
          ctx.stdout,
          ["ID", "TIME", "HOST", "PLAN", "PATHS"],
          list.snapshots.map((s) => [
            s.shortId || s.id.slice(0, 8),
            formatTime(s.unixTimeMs),
            s.hostname,
            s.planId || "-",
            truncate(s.paths.join(", "), 60),
          ]),
        );
      return EXIT.OK;
    });
  },
};
