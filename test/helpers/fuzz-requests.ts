/**
 * The requests the API fuzzer sends: any RPC of gen/, over each protocol, with bodies shaped
 * after the method's input (valid-shaped, wrong-typed, malformed JSON, corrupted binary) and
 * mostly the admin's credentials, sometimes none or hostile ones.
 */
import type { DescMessage, DescMethod, DescService, JsonValue } from "@bufbuild/protobuf";
import fc from "fast-check";
import { ADMIN_AUTH } from "./fuzz-fixture.js";
import {
  binaryBody,
  type HostileTargets,
  hostileStrings,
  malformedJsonText,
  messageJson,
} from "./proto-arbitraries.js";

/** RPCs that only read: fuzzed with the fixture's real ids too, and must change nothing. */
export const READ_ONLY = new Set([
  "v1.Backrest/GetConfig",
  "v1.Backrest/GetOperationEvents",
  "v1.Backrest/GetOperations",
  "v1.Backrest/ListSnapshots",
  "v1.Backrest/ListSnapshotFiles",
  "v1.Backrest/GetLogs",
  "v1.Backrest/GetDownloadURL",
  "v1.Backrest/GetSummaryDashboard",
  "v1.Backrest/ListRecycleBin",
  "v1.Backrest/WaitOperation",
  "v1.Backrest/GetStorageUsage",
  "v1.Backrest/GetRecoveryKit",
  "v1.Backrest/ListLocalPaths",
  "v1.Backrest/PreviewRetention",
  "v1.Backrest/TestRepo",
  "v1.Backrest/DiffSnapshots",
  "v1.Backrest/Cancel",
  "v1.Authentication/HashPassword",
  "v1.Authentication/Login",
  "v1.Authentication/WhoAmI",
  "v1.ApiKeys/ListApiKeys",
  "v1.Audit/ListAuditEvents",
  "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
  "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
]);

export const PROTOCOLS = [
  "connect-json",
  "connect-proto",
  "grpc",
  "grpc-web",
  "client-connect",
  "client-grpc",
] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** One RPC of one service. */
export interface Target {
  service: DescService;
  method: DescMethod;
  name: string;
}

/** One generated request. */
export interface FuzzRequest {
  target: Target;
  protocol: Protocol;
  /** Raw body bytes (raw protocols). */
  body: Buffer;
  /** The message for the typed clients. */
  json: JsonValue;
  authorization: string | undefined;
}

/** Authorization headers: mostly the admin's, sometimes none or hostile ones. */
function authorizationArb(t: HostileTargets): fc.Arbitrary<string | undefined> {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const hostile = hostileStrings(t).filter((s) => s.length < 2000);
  return fc.oneof(
    { weight: 17, arbitrary: fc.constant(ADMIN_AUTH) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...hostile)
        .chain((s) =>
          fc.constantFrom(
            `Basic ${b64(`admin:${s}`)}`,
            `Basic ${b64(`${s}:${s}`)}`,
            `Bearer rw_${b64(s)}`,
            `Bearer rws_${b64(s)}`,
            "Basic !!!not-base64",
            `Bearer ${"x".repeat(8000)}`,
            "Negotiate abc",
            `Basic ${b64(":")}`,
          ),
        ),
    },
  );
}

/** Requests to `targets`: each protocol with the bodies it can carry, valid-shaped and malformed. */
export function requestArb(targets: Target[], t: HostileTargets): fc.Arbitrary<FuzzRequest> {
  const perInput = new Map<
    DescMessage,
    { shaped: fc.Arbitrary<JsonValue>; json: fc.Arbitrary<Buffer>; binary: fc.Arbitrary<Buffer> }
  >();
  const bodiesOf = (desc: DescMessage) => {
    let b = perInput.get(desc);
    if (!b) {
      const shaped = messageJson(desc, { targets: t, wrongTypes: 0 });
      const wrong = messageJson(desc, { targets: t, wrongTypes: 0.3 });
      b = {
        shaped,
        json: fc.oneof(
          { weight: 3, arbitrary: shaped.map((v) => Buffer.from(JSON.stringify(v))) },
          { weight: 2, arbitrary: wrong.map((v) => Buffer.from(JSON.stringify(v))) },
          { weight: 1, arbitrary: malformedJsonText(shaped) },
        ),
        binary: binaryBody(desc, t),
      };
      perInput.set(desc, b);
    }
    return b;
  };
  return fc
    .tuple(fc.constantFrom(...targets), fc.constantFrom(...PROTOCOLS), authorizationArb(t))
    .map(([target, protocol, authorization]) => {
      // Bidirectional streams need HTTP/2: over HTTP/1.1 the answer is a deliberate 505.
      const h2 = protocol === "grpc" || protocol === "client-grpc";
      const fixed = target.method.methodKind === "bidi_streaming" && !h2 ? "grpc" : protocol;
      return [target, fixed, authorization] as const;
    })
    .chain(([target, protocol, authorization]) => {
      const b = bodiesOf(target.method.input);
      const body = protocol === "connect-json" ? b.json : b.binary;
      return fc.tuple(body, b.shaped).map(([raw, json]) => ({
        target,
        protocol,
        body: raw,
        json,
        authorization,
      }));
    });
}

/** A short description of a request, for failure messages. */
export function describeRequest(r: FuzzRequest): string {
  const body =
    r.protocol === "connect-json"
      ? r.body.toString("utf8", 0, 300)
      : r.protocol.startsWith("client-")
        ? JSON.stringify(r.json).slice(0, 300)
        : r.body.subarray(0, 80).toString("hex");
  const auth = r.authorization?.slice(0, 30) ?? "none";
  return `${r.target.name} over ${r.protocol} (${r.body.length} bytes, auth ${auth}): ${body}`;
}

/** fc.assert options that report a failure with a short description of the request. */
export function reportShort<Ts extends [unknown, ...unknown[]]>(
  numRuns: number,
  describe: (value: Ts[0]) => string,
): fc.Parameters<Ts> {
  return {
    numRuns,
    reporter(details) {
      if (!details.failed) return;
      const err = details.errorInstance;
      const reason = err instanceof Error ? err.message : String(err);
      const example = details.counterexample ? describe(details.counterexample[0]) : "(none)";
      throw new Error(
        `property failed after ${details.numRuns} runs (seed ${details.seed}, path "${details.counterexamplePath}"):\n${reason.slice(0, 2_000)}\nrequest: ${example}`,
      );
    },
  };
}
