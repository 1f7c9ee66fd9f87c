/** What import-backrest reports as not carried over from a Backrest config. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { findDropped } from "../../src/cli/import-backrest/carry-over.js";
import { parseConfigJson } from "../../src/config/index.js";

function dropped(json: object) {
  return findDropped(json, parseConfigJson(JSON.stringify(json))).map((d) => d.path);
}

describe("findDropped", () => {
  it("reports nothing for what the schema knows, in Backrest's or proto names", () => {
    assert.deepEqual(
      dropped({
        instance: "x",
        plans: [{ id: "p", repo: "r", backup_flags: ["--x"], skipIfUnchanged: true }],
        repos: [{ id: "r", uri: "/r", prunePolicy: { maxUnusedPercent: 5 } }],
      }),
      [],
    );
  });

  it("reports unknown fields and enum values with their paths", () => {
    assert.deepEqual(
      dropped({
        instance: "x",
        multihost: { peers: [] },
        repos: [
          { id: "r", uri: "/r", futureFlag: true, hooks: [{ conditions: ["CONDITION_NEW"] }] },
        ],
        plans: [{ id: "p", repo: "r", schedule: { cron: "* * * * *", jitter: 5 } }],
      }),
      [
        "multihost",
        "repos[0].futureFlag",
        "repos[0].hooks[0].conditions[0]",
        "plans[0].schedule.jitter",
      ],
    );
  });

  it("reports Shoutrrr hooks and a config from a newer Backrest", () => {
    const paths = dropped({
      version: 99,
      plans: [{ id: "p", repo: "r", hooks: [{ actionShoutrrr: { shoutrrrUrl: "x://y" } }] }],
      repos: [{ id: "r", uri: "/r" }],
    });
    assert.deepEqual(paths, ["version", "plans[0].hooks[0]"]);
  });

  it("the Backrest fixture loses only its multihost sync settings", () => {
    const text = readFileSync(
      join(import.meta.dirname, "..", "fixtures", "backrest-config.json"),
      "utf8",
    );
    assert.deepEqual(
      findDropped(JSON.parse(text), parseConfigJson(text)).map((d) => d.path),
      ["sync"],
    );
  });
});
