import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { Config } from "../../gen/v1/config_pb.js";
import { parseConfigJson } from "../../src/config/index.js";

/** Path of the hand-written Backrest config.json fixture. */
export const FIXTURE_PATH = new URL("../fixtures/backrest-config.json", import.meta.url).pathname;

/** The fixture's raw text. */
export function fixtureText(): string {
  return readFileSync(FIXTURE_PATH, "utf8");
}

/** The fixture parsed into a Config. */
export function fixtureConfig(): Config {
  return parseConfigJson(fixtureText());
}

/** A fresh temporary directory, removed when the test file finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "restwell-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Parses a JSON object literal in Backrest's format into a Config. */
export function configFrom(json: unknown): Config {
  return parseConfigJson(JSON.stringify(json));
}
