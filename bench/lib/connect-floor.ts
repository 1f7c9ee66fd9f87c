/**
 * The throughput benchmark's second baseline: Connect itself. A connect-node server with the
 * daemon's Backrest service, whose methods answer each request with the message the daemon
 * answered it with (parsed once at start), and nothing else: no interceptors (no
 * authentication, access log, audit or rate limits), no config, no operation log. What it
 * costs per request beyond the bare server is Connect's: its Node adapter, the protocol
 * handler, and protobuf's JSON reading and writing of the same messages.
 * Reads a JSON file of { "<path>\n<request body>": answer } (as bare-server.ts does) and
 * prints "listening <port>" once it listens on 127.0.0.1.
 *   node --import tsx bench/lib/connect-floor.ts <answers.json>
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type DescMessage, fromJson, fromJsonString, toJsonString } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Backrest } from "../../gen/v1/service_pb.js";
import { MAX_REQUEST_BYTES } from "../../src/server/http-handler.js";

const file = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as Record<string, string>;

/** The answers of each method, by the request message as canonical JSON. */
const answers = new Map<string, Map<string, unknown>>();
for (const [key, answer] of Object.entries(file)) {
  const [path = "", body = "{}"] = key.split("\n");
  const method = Backrest.methods.find((m) => path === `/${Backrest.typeName}/${m.name}`);
  if (!method) throw new Error(`no Backrest method for ${path}`);
  const request = fromJson(method.input, JSON.parse(body));
  const byRequest = answers.get(method.localName) ?? new Map<string, unknown>();
  byRequest.set(
    toJsonString(method.input, request),
    fromJsonString(method.output as DescMessage, answer),
  );
  answers.set(method.localName, byRequest);
}

const impl: Record<string, (req: never) => unknown> = {};
for (const method of Backrest.methods) {
  const byRequest = answers.get(method.localName);
  if (!byRequest) continue;
  impl[method.localName] = (req: never) => {
    const answer = byRequest.get(toJsonString(method.input, req));
    if (answer === undefined) throw new Error(`no answer for this ${method.name} request`);
    return answer;
  };
}

const server = createServer(
  connectNodeAdapter({
    readMaxBytes: MAX_REQUEST_BYTES,
    routes: (router) => router.service(Backrest, impl as Partial<ServiceImpl<typeof Backrest>>),
  }),
);
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
