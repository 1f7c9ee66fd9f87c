/**
 * Plan preconditions: a host:port that must accept a TCP connection, or a command run by sh
 * that must exit 0. Returns why the precondition does not hold, or undefined when it holds.
 */
import net from "node:net";
import { execa } from "execa";
import type { Precondition } from "../../gen/v1/config_pb.js";

const TIMEOUT_MS = 10_000;

export async function checkPrecondition(
  pre: Precondition | undefined,
  opts: { signal?: AbortSignal; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string | undefined> {
  const check = pre?.check;
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  if (check?.case === "tcpAddress") return tcpReachable(check.value, timeoutMs);
  if (check?.case === "command") return commandSucceeds(check.value, timeoutMs, opts);
  return undefined;
}

function tcpReachable(address: string, timeoutMs: number): Promise<string | undefined> {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address.trim());
  if (!m) return Promise.resolve(`precondition address "${address}" is not host:port`);
  const host = m[1] ?? m[2] ?? "";
  const port = Number(m[3]);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () =>
      done(`${address} did not answer within ${timeoutMs / 1000}s`),
    );
    socket.once("connect", () => done(undefined));
    socket.once("error", (err) =>
      done(`${address} is not reachable (${(err as NodeJS.ErrnoException).code ?? err.message})`),
    );
  });
}

async function commandSucceeds(
  command: string,
  timeoutMs: number,
  opts: { signal?: AbortSignal; env?: Record<string, string> },
): Promise<string | undefined> {
  const r = await execa("sh", ["-c", command], {
    reject: false,
    timeout: timeoutMs,
    cancelSignal: opts.signal,
    env: opts.env,
    stdin: "ignore",
    maxBuffer: 64 * 1024,
  });
  if (r.exitCode === 0) return undefined;
  if (r.timedOut) return `precondition command did not finish within ${timeoutMs / 1000}s`;
  const tail = String(r.stderr ?? "")
    .trim()
    .split("\n")
    .slice(-2)
    .join(" / ");
  return `precondition command exited with code ${r.exitCode ?? "?"}${tail ? `: ${tail.slice(0, 300)}` : ""}`;
}
