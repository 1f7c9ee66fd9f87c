/** Fixtures for hook tests: a sample event, hook builders and a loopback HTTP receiver. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Hook, Hook_Condition, HookSchema } from "../../gen/v1/config_pb.js";
import type { HookEvent } from "../../src/hooks/index.js";

/** A completed backup with summary numbers; override any field. */
export function sampleEvent(overrides: Partial<HookEvent> = {}): HookEvent {
  return {
    event: "backup.completed",
    condition: Hook_Condition.SNAPSHOT_SUCCESS,
    instance: "nas-box",
    plan: { id: "daily" },
    repo: { id: "offsite", uri: "rest:https://alice:repo-pass-123@backup.example:8000/alice" },
    operationId: 42n,
    flowId: 41n,
    snapshotId: "1a2b3c4d",
    durationMs: 5200,
    summary: {
      filesNew: 12,
      filesChanged: 3,
      dataAdded: 3_565_158,
      totalBytesProcessed: 1_048_576,
    },
    time: new Date("2024-05-01T10:00:00Z"),
    ...overrides,
  };
}

/** A failed backup. */
export function failedEvent(overrides: Partial<HookEvent> = {}): HookEvent {
  return sampleEvent({
    event: "backup.failed",
    condition: Hook_Condition.SNAPSHOT_ERROR,
    error: "repository is locked",
    summary: undefined,
    snapshotId: undefined,
    ...overrides,
  });
}

/** A Hook message from its init shape. */
export function hook(init: MessageInitShape<typeof HookSchema>): Hook {
  return create(HookSchema, init);
}

/** One request the receiver got. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What the receiver answers: a status and body, or "hang" to never answer. */
export type Reply = { status: number; body?: string } | "hang";

/** A loopback HTTP server standing in for a service. */
export interface Receiver {
  base: string;
  requests: ReceivedRequest[];
  reply: Reply;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 with a free port; it answers 200 "ok" until told otherwise. */
export async function startReceiver(): Promise<Receiver> {
  const hanging: ServerResponse[] = [];
  const receiver: Receiver = {
    base: "",
    requests: [],
    reply: { status: 200, body: "ok" },
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { method = "", url = "", headers } = req;
      receiver.requests.push({ method, url, headers, body: Buffer.concat(chunks) });
      const reply = receiver.reply;
      if (reply === "hang") hanging.push(res);
      else res.writeHead(reply.status, { "content-type": "text/plain" }).end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  receiver.base = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Awaits `promise`, which must reject; returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}
