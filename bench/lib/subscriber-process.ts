/**
 * The event-stream subscribers in a process of their own, at the lowest CPU priority, standing
 * in for remote clients: they follow the daemon's log like any client, but on a two-core
 * machine they no longer take CPU time from restic that remote clients would not take.
 * Run by `openSubscriberProcess`; driven over the IPC channel.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { FinishedBackup } from "./backup-runs.js";
import { type Delivery, openSubscribers, type Subscribers } from "./subscribers.js";

type Request =
  | { type: "open"; url: string; count: number }
  | { type: "delivery"; op: FinishedBackup }
  | { type: "cpu" }
  | { type: "close" };
type Reply =
  | { type: "subscribed" }
  | { type: "delivery"; delivery: Delivery }
  | { type: "cpu"; seconds: number }
  | { type: "error"; message: string };

/** Subscribers in another process; `cpuSeconds` is that process's CPU time so far. */
export interface RemoteSubscribers extends Subscribers {
  cpuSeconds(): Promise<number>;
}

/** Starts the process, opens `count` streams to `url` and waits until each is subscribed. */
export async function openSubscriberProcess(
  url: string,
  count: number,
): Promise<RemoteSubscribers> {
  // Started through nice(1), so every thread of it (V8's compiler and collector threads too,
  // which exist before a setpriority(2) on its pid could reach them) runs at the lowest priority.
  const child = fork(fileURLToPath(import.meta.url), [], {
    execPath: "nice",
    execArgv: ["-n", "19", process.execPath, "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = async <T extends Reply["type"]>(req: Request, type: T) => {
    child.send(req);
    const [reply] = (await once(child, "message")) as [Reply];
    if (reply.type === "error") throw new Error(`subscriber process: ${reply.message}`);
    if (reply.type !== type) throw new Error(`subscriber process answered ${reply.type}`);
    return reply as Extract<Reply, { type: T }>;
  };
  await ask({ type: "open", url, count }, "subscribed");
  return {
    subscribed: async () => {},
    delivery: async (op) => (await ask({ type: "delivery", op }, "delivery")).delivery,
    cpuSeconds: async () => (await ask({ type: "cpu" }, "cpu")).seconds,
    close: () => {
      if (child.connected) child.send({ type: "close" } satisfies Request);
    },
  };
}

// bigints do not cross the IPC channel's JSON: Delivery has none, FinishedBackup only strings.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  let subs: Subscribers | undefined;
  const reply = (r: Reply) => process.send?.(r);
  process.on("message", async (req: Request) => {
    try {
      if (req.type === "open") {
        subs = openSubscribers(req.url, req.count);
        await subs.subscribed();
        reply({ type: "subscribed" });
      } else if (req.type === "delivery") {
        if (!subs) throw new Error("no streams are open");
        reply({ type: "delivery", delivery: await subs.delivery(req.op) });
      } else if (req.type === "cpu") {
        const cpu = process.cpuUsage();
        reply({ type: "cpu", seconds: (cpu.user + cpu.system) / 1e6 });
      } else {
        subs?.close();
        process.disconnect();
        setTimeout(() => process.exit(0), 100).unref();
      }
    } catch (err) {
      reply({ type: "error", message: err instanceof Error ? err.message : String(err) });
    }
  });
}
