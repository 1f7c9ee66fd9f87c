/**
 * Property-based fuzzing of every RPC of every service in gen/, against a real daemon (see
 * fuzz-fixture.ts), over Connect JSON, Connect binary, gRPC and gRPC-Web with raw bodies and
 * through the connect-node transports. Properties: no answer is a server fault (no 5xx but the
 * deliberate ones, no hang, no dropped connection); refused requests change neither the config
 * file nor the operation log; read-only RPCs change nothing at all; shell payloads create
 * nothing; the daemon stays healthy and its memory bounded. Registered by test files with a
 * scale (quick in `make test`, long in `make faults`).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import http2 from "node:http2";
import { after, describe, it } from "node:test";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import fc from "fast-check";
import {
  type ConfigJson,
  canEncode,
  configOnDisk,
  type InvalidEdit,
  invalidEditArb,
} from "./fuzz-config-edits.js";
import {
  ADMIN_AUTH,
  type DaemonState,
  type FuzzFixture,
  serverFault,
  startFuzzFixture,
  targetsOf,
} from "./fuzz-fixture.js";
import {
  describeRequest,
  type FuzzRequest,
  READ_ONLY,
  reportShort,
  requestArb,
  type Target,
} from "./fuzz-requests.js";
import { typedCall, typedTransports } from "./rpc-typed.js";
import { allServices, type Outcome, rawCall } from "./rpc-wire.js";

export interface FuzzScale {
  /** Requests to read-only RPCs, one at a time (shrunk on failure). */
  readOnlyRuns: number;
  /** Requests to read-only RPCs sent in concurrent batches of 16. */
  concurrentRequests: number;
  /** Requests to RPCs that change state, one at a time, the state compared after each refusal. */
  mutatingRuns: number;
  /** SetConfig requests with the current modno and one hostile, invalid value. */
  invalidConfigRuns: number;
  /** Largest growth of this process's RSS over the run, in MiB. */
  rssGrowthLimitMiB: number;
}

export function defineApiFuzz(scale: FuzzScale): void {
  describe("API fuzz", { concurrency: false, timeout: 30 * 60_000 }, async () => {
    const fx: FuzzFixture = await startFuzzFixture();
    const targets: Target[] = (await allServices()).flatMap((service) =>
      service.methods.map((method) => ({
        service,
        method,
        name: `${service.typeName}/${method.name}`,
      })),
    );
    const session = http2.connect(fx.daemon.url);
    session.on("error", () => {});
    after(() => session.close());
    const rssAtStart = process.memoryUsage().rss;
    const outcomes = new Map<string, number>();
    const timing = new Map<string, { n: number; ms: number }>();
    /** Answers at 500 and above that serverFault let pass, for the log. */
    const deliberate = new Set<string>();
    after(() => {
      // connect-es answers undecodable binary messages over gRPC with INTERNAL (see fuzz-fixture.ts).
      const parse = [...deliberate].filter((line) => line.includes("internal: parse binary:"));
      const others = [...deliberate].filter((line) => !parse.includes(line));
      process.stderr.write(
        `api-fuzz: 5xx let pass: ${parse.length} kinds of "parse binary" (connect-es, inside HTTP 200 answers), ${others.length} others${others.length ? `:\n  ${others.slice(0, 20).join("\n  ")}` : ""}\n`,
      );
      const slow = [...timing].sort((a, b) => b[1].ms - a[1].ms).slice(0, 5);
      const slowest = slow.map(([k, v]) => `${k} ${v.n}x ${Math.round(v.ms)} ms`).join(", ");
      process.stderr.write(`api-fuzz: most time spent in ${slowest}\n`);
    });

    /** Sends a request over its protocol, with a time limit; server streams are read briefly. */
    async function send(r: FuzzRequest): Promise<Outcome> {
      const started = performance.now();
      // Typed clients cannot tell an answered stream from a silent one: read streams 1.5 s.
      const typed = r.protocol === "client-connect" || r.protocol === "client-grpc";
      const limit = r.target.method.methodKind !== "unary" && typed ? 1_500 : 10_000;
      let outcome: Outcome;
      if (r.protocol === "client-connect" || r.protocol === "client-grpc") {
        let input: unknown = {};
        try {
          input = fromJson(r.target.method.input, r.json, { ignoreUnknownFields: true });
        } catch {
          // a value the encoder refuses: the empty message goes instead
        }
        const transport = typedTransports(fx.daemon.url, r.authorization)[r.protocol];
        outcome = await typedCall(
          transport,
          r.protocol,
          r.target.service,
          r.target.method,
          input,
          limit,
        );
      } else {
        outcome = await rawCall({
          baseUrl: fx.daemon.url,
          method: r.target.method,
          protocol: r.protocol,
          body: r.body,
          authorization: r.authorization,
          timeoutMs: limit,
          session,
        });
      }
      outcomes.set(outcome.code, (outcomes.get(outcome.code) ?? 0) + 1);
      if (outcome.httpStatus >= 500 || outcome.code === "unknown" || outcome.code === "internal")
        deliberate.add(`${r.target.name} ${outcome.code}: ${outcome.message.slice(0, 160)}`);
      const ms = performance.now() - started;
      const t = timing.get(r.target.name) ?? { n: 0, ms: 0 };
      timing.set(r.target.name, { n: t.n + 1, ms: t.ms + ms });
      return outcome;
    }

    async function assertNoFault(r: FuzzRequest): Promise<Outcome> {
      const outcome = await send(r);
      const fault = serverFault(outcome);
      assert.equal(fault, undefined, fault);
      // (Login checks the credentials in its body, not the header.)
      const login = r.target.name === "v1.Authentication/Login";
      if (r.authorization === ADMIN_AUTH && outcome.code === "unauthenticated" && !login)
        assert.fail(`the admin's credentials were refused: ${outcome.message}`);
      return outcome;
    }

    const readOnly = targets.filter((t) => READ_ONLY.has(t.name));
    const mutating = targets.filter((t) => !READ_ONLY.has(t.name));

    it("walks every service in gen/", () => {
      assert.ok(targets.length >= 40, `found ${targets.length} RPCs in gen/`);
      for (const name of READ_ONLY)
        assert.ok(
          targets.some((t) => t.name === name),
          `${name} is still defined`,
        );
    });

    it("read-only RPCs answer every request without a server fault and change nothing", async () => {
      const before = fx.state();
      await fc.assert(
        fc.asyncProperty(requestArb(readOnly, targetsOf(fx, { readOnly: true })), async (r) => {
          const before = fx.state();
          await assertNoFault(r);
          assertSameState(before, fx.state(), "a read-only request changed state");
        }),
        reportShort(scale.readOnlyRuns, describeRequest),
      );
      assert.deepEqual(
        fx.state(),
        before,
        "read-only requests changed the config or the operation log",
      );
    });

    it("read-only RPCs hold up under concurrent malformed requests", async () => {
      const before = fx.state();
      const requests = fc.sample(
        requestArb(readOnly, targetsOf(fx, { readOnly: true })),
        scale.concurrentRequests,
      );
      for (let i = 0; i < requests.length; i += 16) {
        const batch = requests.slice(i, i + 16);
        const answers = await Promise.all(batch.map((r) => send(r)));
        answers.forEach((o, j) => {
          const fault = serverFault(o);
          assert.equal(
            fault,
            undefined,
            `${fault}\nrequest: ${describeRequest(batch[j] as FuzzRequest)}`,
          );
        });
      }
      assert.deepEqual(
        fx.state(),
        before,
        "read-only requests changed the config or the operation log",
      );
    });

    it("RPCs that change state leave config and history untouched when they refuse", async () => {
      let refused = 0;
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(requestArb(mutating, targetsOf(fx, { readOnly: false })), async (r) => {
          const before = fx.state();
          const outcome = await assertNoFault(r);
          if (outcome.code === "ok") {
            accepted += 1;
            // Whatever it started (operations and their follow-ups) ends before the next
            // comparison; a change of the config or of API keys alone starts nothing.
            const now = fx.state();
            if (now.operations !== before.operations || now.modno !== before.modno)
              await fx.settle();
            return;
          }
          refused += 1;
          assertSameState(before, fx.state(), `refused (${outcome.code}) but changed state`);
        }),
        reportShort(scale.mutatingRuns, describeRequest),
      );
      assert.ok(refused > accepted, `mostly refused (${refused} refused, ${accepted} accepted)`);
    });

    it("SetConfig with the current modno and a hostile invalid value is refused, naming the field", async () => {
      const current = configOnDisk(fx);
      await fc.assert(
        fc.asyncProperty(
          invalidEditArb(targetsOf(fx, { readOnly: false })),
          fc.constantFrom("connect-json", "client-connect", "client-grpc" as const),
          async (edit, protocol) => {
            const cfg = structuredClone(current) as ConfigJson;
            edit.apply(cfg);
            const before = fx.state();
            const setConfig = targets.find((t) => t.name === "v1.Backrest/SetConfig") as Target;
            const encodable = canEncode(setConfig.method.input, cfg as unknown as JsonValue);
            const outcome = await send({
              target: setConfig,
              // A value the client cannot encode (a lone surrogate) goes as raw JSON instead.
              protocol: encodable ? protocol : "connect-json",
              body: Buffer.from(JSON.stringify(cfg)),
              json: cfg as unknown as JsonValue,
              authorization: ADMIN_AUTH,
            });
            assert.equal(
              outcome.code,
              "invalid_argument",
              `${outcome.code}: ${outcome.message.slice(0, 300)}`,
            );
            // Refused by validation (naming the config path) or, for a string that is not
            // valid Unicode, already by the JSON decoder (naming the protobuf field).
            assert.ok(
              outcome.message.includes(edit.path) || outcome.message.startsWith("cannot decode"),
              `the message names ${edit.path}: ${outcome.message.slice(0, 300)}`,
            );
            assertSameState(before, fx.state(), "a refused config changed state");
          },
        ),
        reportShort(scale.invalidConfigRuns, (e: InvalidEdit) => `${e.path} = ${e.what}`),
      );
    });

    it("stays healthy: health endpoint, bounded memory, no payload ran a shell", async () => {
      const health = await fetch(`${fx.daemon.url}/healthz`);
      assert.equal(health.status, 200, await health.text());
      assert.equal(existsSync(fx.sentinel), false, "a shell payload ran");
      // Others may work in the project folder meanwhile: only payload-made names count.
      const made = readdirSync(fx.projectDir).filter(
        (name) => !fx.projectEntries.includes(name) && /touch|\$\(|`|;|\.\.|SENTINEL/.test(name),
      );
      assert.deepEqual(made, [], "a payload created files in the project folder");
      const growthMiB = (process.memoryUsage().rss - rssAtStart) / 2 ** 20;
      process.stderr.write(
        `api-fuzz: ${[...outcomes.values()].reduce((a, b) => a + b, 0)} requests, outcomes ${JSON.stringify(Object.fromEntries(outcomes))}, RSS growth ${growthMiB.toFixed(0)} MiB\n`,
      );
      assert.ok(growthMiB < scale.rssGrowthLimitMiB, `RSS grew by ${growthMiB.toFixed(0)} MiB`);
    });
  });
}

/** Fails with a short account of what changed between two states. */
function assertSameState(before: DaemonState, after: DaemonState, what: string): void {
  const changes: string[] = [];
  if (after.config !== before.config) changes.push("config.json changed");
  if (after.operations !== before.operations)
    changes.push(`operations ${before.operations} -> ${after.operations}`);
  if (after.modno !== before.modno) changes.push(`log modno ${before.modno} -> ${after.modno}`);
  assert.deepEqual(changes, [], what);
}
