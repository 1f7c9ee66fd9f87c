/**
 * Config edits that validation must refuse (a hostile value in a checked field), for fuzzing
 * SetConfig with the current modno: each names the path its issue must report.
 */
import { readFileSync } from "node:fs";
import { type DescMessage, fromJson, type JsonValue } from "@bufbuild/protobuf";
import fc from "fast-check";
import type { FuzzFixture } from "./fuzz-fixture.js";
import { type HostileTargets, hostileStrings } from "./proto-arbitraries.js";

/** A config edit that validation must refuse, with the path its issue must name. */
export interface InvalidEdit {
  path: string;
  what: string;
  apply(cfg: ConfigJson): void;
}
/** A config as JSON, as the file holds it. */
export type ConfigJson = {
  instance?: string;
  repos: Record<string, unknown>[];
  plans: Record<string, unknown>[];
  auth: { users: Record<string, unknown>[] };
  settings: Record<string, unknown>;
};

const ID = /^[A-Za-z0-9_.-]+$/;

/** An edit of the fixture config that validation must refuse. */
export function invalidEditArb(t: HostileTargets): fc.Arbitrary<InvalidEdit> {
  const strings = hostileStrings(t);
  const pick = (keep: (s: string) => boolean) => fc.constantFrom(...strings.filter(keep));
  const edit = (path: string, apply: (cfg: ConfigJson, v: never) => void) => (v: unknown) => ({
    path,
    what: JSON.stringify(v).slice(0, 120),
    apply: (cfg: ConfigJson) => apply(cfg, v as never),
  });
  const negative = fc.integer({ min: -(2 ** 31), max: -1 });
  return fc.oneof(
    pick((s) => !ID.test(s)).map(
      edit("instance", (c, v: string) => {
        c.instance = v;
      }),
    ),
    pick((s) => !ID.test(s)).map(
      edit("repos[0].id", (c, v: string) => {
        (c.repos[0] as Record<string, unknown>).id = v;
      }),
    ),
    pick((s) => !ID.test(s)).map(
      edit("plans[0].id", (c, v: string) => {
        (c.plans[0] as Record<string, unknown>).id = v;
      }),
    ),
    pick((s) => s !== "local").map(
      edit("plans[0].repo", (c, v: string) => {
        (c.plans[0] as Record<string, unknown>).repo = v;
      }),
    ),
    pick((s) => !s.startsWith("/") || s.includes("\0")).map(
      edit("plans[0].paths[0]", (c, v: string) => {
        (c.plans[0] as Record<string, unknown>).paths = [v];
      }),
    ),
    pick((s) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(s)).map(
      edit("repos[0].env[0]", (c, v: string) => {
        (c.repos[0] as Record<string, unknown>).env = [v];
      }),
    ),
    pick((s) => !["", "admin", "operator", "viewer"].includes(s)).map(
      edit("auth.users[0].role", (c, v: string) => {
        (c.auth.users[0] as Record<string, unknown>).role = v;
      }),
    ),
    fc.constantFrom("", " ", "\t\n").map(
      edit("repos[0].uri", (c, v: string) => {
        (c.repos[0] as Record<string, unknown>).uri = v;
      }),
    ),
    negative.map(
      edit("settings.historyKeepCount", (c, v: number) => {
        c.settings.historyKeepCount = v;
      }),
    ),
    negative.map(
      edit("settings.logRetentionDays", (c, v: number) => {
        c.settings.logRetentionDays = v;
      }),
    ),
    fc.integer({ min: -(2 ** 31), max: -2 }).map(
      edit("settings.rateLimitPerMinute", (c, v: number) => {
        c.settings.rateLimitPerMinute = v;
      }),
    ),
  );
}

/** True when the protobuf encoder accepts `json` for `desc` (a lone surrogate it does not). */
export function canEncode(desc: DescMessage, json: JsonValue): boolean {
  try {
    fromJson(desc, json, { ignoreUnknownFields: true });
    return true;
  } catch {
    return false;
  }
}

/** The current config, as the file holds it. */
export function configOnDisk(fx: FuzzFixture): ConfigJson {
  // The file, not GetConfig: it holds the real secrets, so nothing needs restoring.
  const cfg = JSON.parse(readFileSync(fx.daemon.configPath, "utf8")) as ConfigJson;
  cfg.settings ??= {};
  return cfg;
}
