import assert from "node:assert/strict";
import net from "node:net";
import { after, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { PreconditionSchema } from "../../gen/v1/config_pb.js";
import { checkPrecondition } from "../../src/hooks/precondition.js";

const tcp = (value: string) => create(PreconditionSchema, { check: { case: "tcpAddress", value } });
const command = (value: string) =>
  create(PreconditionSchema, { check: { case: "command", value } });
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

describe("plan preconditions", () => {
  it("holds when nothing is required", async () => {
    assert.equal(await checkPrecondition(undefined), undefined);
  });

  it("a host:port holds when it accepts a connection, and says why when it does not", async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    after(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    assert.equal(await checkPrecondition(tcp(`127.0.0.1:${port}`)), undefined);
    assert.match(
      (await checkPrecondition(tcp("127.0.0.1:1"))) ?? "",
      /127\.0\.0\.1:1 is not reachable \(ECONNREFUSED\)/,
    );
    assert.match((await checkPrecondition(tcp("no-port-here"))) ?? "", /is not host:port/);
  });

  it("a command holds when it exits 0, and reports its exit code and stderr otherwise", async () => {
    assert.equal(await checkPrecondition(command("test -d /"), { env }), undefined);
    const reason = await checkPrecondition(command("echo 'the NAS is asleep' >&2; exit 3"), {
      env,
    });
    assert.match(reason ?? "", /exited with code 3: the NAS is asleep/);
    const slow = await checkPrecondition(command("sleep 5"), { env, timeoutMs: 200 });
    assert.match(slow ?? "", /did not finish within/);
  });
});
