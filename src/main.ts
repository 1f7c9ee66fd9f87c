/**
 * The restwell command. Only this file reads argv and process.env: it turns them into
 * DaemonSettings, starts the daemon and stops it on SIGINT/SIGTERM, or hands them to the
 * client and local commands (src/cli).
 */
import { parseArgs } from "node:util";
import { generalHelp, isCliCommand, runCli } from "./cli/index.js";
import { localSettings } from "./cli/local-settings.js";
import { createLogger, type LogLevel, stderrLines } from "./log.js";
import { FAULT_POINTS, type FaultHook, isFaultPoint } from "./orchestrator/faults.js";

const USAGE = `Usage: restwell serve [options]

Runs the Restwell backup daemon.

Options:
  --config-file PATH    config file (env RESTWELL_CONFIG; default ~/.config/restwell/config.json)
  --data-dir PATH       data directory (env RESTWELL_DATA; default ~/.local/share/restwell)
  --bind-address ADDR   host:port to listen on (env RESTWELL_PORT; default 127.0.0.1:9898)
  --restic-cmd PATH     restic executable (env RESTWELL_RESTIC_COMMAND; default restic)
  --log-level LEVEL     debug, info, warn or error (env RESTWELL_LOG_LEVEL; default info)
  -h, --help            show this help
`;

function fail(message: string): never {
  // Buffered log lines first, so stderr keeps the order things happened in.
  stderrLines().flush();
  process.stderr.write(`restwell: ${message}\n`);
  process.exit(2);
}

function settingsFrom(argv: string[], env: NodeJS.ProcessEnv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "config-file": { type: "string" },
      "data-dir": { type: "string" },
      "bind-address": { type: "string" },
      "restic-cmd": { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const command = positionals[0] ?? "serve";
  if (command !== "serve") fail(`unknown command "${command}"\n\n${USAGE}`);
  const level = (values["log-level"] ?? env.RESTWELL_LOG_LEVEL ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(level))
    fail(`--log-level must be debug, info, warn or error`);
  // Paths and restic (its environment minus our RESTWELL_* settings) resolve as for the local commands.
  return {
    ...localSettings(values, env),
    bindAddress: values["bind-address"] ?? env.RESTWELL_PORT ?? "127.0.0.1:9898",
    log: createLogger(level),
    faults: testFaults(env.RESTWELL_TEST_PAUSE_AT),
  };
}

/**
 * Crash tests only: RESTWELL_TEST_PAUSE_AT=<fault point> makes the daemon print a marker line
 * on stderr when it reaches that point and wait there forever, to be killed.
 */
function testFaults(pauseAt: string | undefined): FaultHook | undefined {
  if (!pauseAt) return undefined;
  if (!isFaultPoint(pauseAt))
    fail(`RESTWELL_TEST_PAUSE_AT must be one of ${FAULT_POINTS.join(", ")}`);
  return async (point) => {
    if (point !== pauseAt) return;
    // The test kills the process here: nothing logged before the marker may stay buffered.
    stderrLines().flush();
    process.stderr.write(`restwell: test pause at ${point}\n`);
    await new Promise<never>(() => {});
  };
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(generalHelp());
    return;
  }
  if (isCliCommand(command)) {
    const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
    process.exitCode = await runCli(command as string, args, { env: process.env, ...io });
    return;
  }
  let settings: ReturnType<typeof settingsFrom>;
  try {
    settings = settingsFrom(process.argv.slice(2), process.env);
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
  // Loaded here so the client commands start without loading the daemon.
  const { startDaemon } = await import("./daemon.js");
  const daemon = await startDaemon(settings).catch((err: unknown) => {
    fail(err instanceof Error ? err.message : String(err));
  });
  // Scripts and supervisors wait for the "listening" line: out with it now, not with the next batch.
  settings.log.flush();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      settings.log.warn("second signal: exiting without waiting for operations to stop", {
        signal,
      });
      process.exit(130);
    }
    settings.log.info("shutting down", { signal });
    settings.log.flush();
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        settings.log.error("shutdown failed", { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

// Not a top-level await: the single executable is a CommonJS bundle (deploy/sea).
main().catch((err: unknown) => {
  stderrLines().flush();
  process.stderr.write(
    `restwell: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
