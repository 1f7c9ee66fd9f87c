/** Re-entering the password for the recovery kit: only an admin user of the config, with the right password. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type Auth, AuthSchema } from "../../gen/v1/config_pb.js";
import { confirmAdminPassword } from "../../src/auth/confirm-admin.js";
import { hashPassword } from "../../src/auth/password.js";
import type { Principal } from "../../src/auth/principal.js";
import { PermissionDeniedError, ValidationError } from "../../src/errors.js";

let auth: Auth;
before(async () => {
  const hash = await hashPassword("right-Pw-1");
  auth = create(AuthSchema, {
    users: [
      { name: "alice", role: "", password: { case: "passwordBcrypt", value: hash } },
      { name: "root", role: "admin", password: { case: "passwordBcrypt", value: hash } },
      { name: "olivia", role: "operator", password: { case: "passwordBcrypt", value: hash } },
      { name: "nohash", role: "admin" },
    ],
  });
});

const user = (name: string, role: "admin" | "operator" | "viewer" = "admin") =>
  ({ kind: "user", name, role }) as const;

/** Asserts a PermissionDeniedError whose message matches `pattern`. */
const denied = (pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof PermissionDeniedError, String(err));
  assert.match(err.message, pattern);
  return true;
};

describe("confirmAdminPassword", () => {
  it("accepts an admin user (role admin or empty) with the right password", async () => {
    assert.equal(await confirmAdminPassword(auth, user("alice"), "right-Pw-1"), "alice");
    assert.equal(await confirmAdminPassword(auth, user("root"), "right-Pw-1"), "root");
  });

  it("refuses a wrong or empty password", async () => {
    await assert.rejects(
      confirmAdminPassword(auth, user("alice"), "wrong"),
      denied(/password you entered again is wrong/),
    );
    await assert.rejects(confirmAdminPassword(auth, user("alice"), ""), ValidationError);
    await assert.rejects(confirmAdminPassword(auth, user("nohash"), "right-Pw-1"), denied(/wrong/));
  });

  it("refuses non-admins by the config's current role, whatever the principal says", async () => {
    await assert.rejects(
      confirmAdminPassword(auth, user("olivia", "admin"), "right-Pw-1"),
      denied(/"olivia" is not an admin/),
    );
    await assert.rejects(
      confirmAdminPassword(auth, user("gone"), "right-Pw-1"),
      denied(/not an admin/),
    );
  });

  it("refuses API keys, anonymous callers and a daemon with authentication disabled", async () => {
    const key: Principal = { kind: "key", id: "k1", name: "ci", permissions: new Set() };
    await assert.rejects(confirmAdminPassword(auth, key, "right-Pw-1"), denied(/API key cannot/));
    const enable = denied(/enable authentication and sign in as an admin user/);
    await assert.rejects(confirmAdminPassword(auth, { kind: "anonymous" }, "x"), enable);
    await assert.rejects(confirmAdminPassword(auth, undefined, "x"), enable);
    const disabled = create(AuthSchema, { ...auth, disabled: true });
    await assert.rejects(confirmAdminPassword(disabled, user("alice"), "right-Pw-1"), enable);
  });
});
