/** The table of audited RPCs against the permission table. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RPC_REQUIREMENTS } from "../../src/auth/permissions.js";
import { AUDIT_RULES } from "../../src/server/audit-actions.js";

/** RPCs that need more than a read permission but change nothing. */
const READ_ONLY = new Set([
  "v1.ApiKeys/ListApiKeys",
  // Lists the daemon's folders for path completion; config:write guards what it reveals.
  "v1.Backrest/ListLocalPaths",
]);

describe("audited RPCs", () => {
  it("name only RPCs that exist", () => {
    const unknown = [...AUDIT_RULES.keys()].filter((name) => !(name in RPC_REQUIREMENTS));
    assert.deepEqual(unknown, []);
  });

  it("include every RPC that needs a write, run, maintain, restore, download or manage permission", () => {
    const missing = Object.entries(RPC_REQUIREMENTS)
      .filter(([, req]) => req !== "public" && req !== "authenticated" && !req.endsWith(":read"))
      .map(([name]) => name)
      .filter((name) => !READ_ONLY.has(name) && !AUDIT_RULES.has(name));
    assert.deepEqual(missing, []);
  });

  it("describe a request without its secrets", () => {
    const kit = AUDIT_RULES.get("v1.Backrest/GetRecoveryKit");
    assert.deepEqual(kit?.describe({ password: "admin-secret" }, undefined), {});
    const command = AUDIT_RULES.get("v1.Backrest/RunCommand");
    assert.deepEqual(
      command?.describe(
        { repoId: "r1", command: "key add --password-file /tmp/pw", args: [] },
        undefined,
      ),
      { target: "r1", detail: "key" },
    );
  });
});
