/** Session tokens: signed, expiring, ended by a password change or a removed user. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { UserSchema } from "../../gen/v1/config_pb.js";
import { createSessionTokens, SESSION_TTL_MS } from "../../src/auth/session-tokens.js";

const user = (name: string, hash: string) =>
  create(UserSchema, { name, password: { case: "passwordBcrypt", value: hash } });

describe("session tokens", () => {
  let now = 1_000;
  const tokens = createSessionTokens("secret-a", () => now);
  const alice = user("alice", "JDJhJDEwJGhhc2gx");

  it("verifies a token it issued until it expires", () => {
    now = 1_000;
    const { token, expiresMs } = tokens.issue(alice);
    assert.equal(expiresMs, 1_000 + SESSION_TTL_MS);
    const ok = tokens.verify(token, [alice]);
    assert.ok(ok.ok && ok.user.name === "alice");
    now = expiresMs;
    assert.deepEqual(tokens.verify(token, [alice]), { ok: false, reason: "expired" });
  });

  it("refuses tampered tokens, other secrets, changed passwords and removed users", () => {
    now = 1_000;
    const { token } = tokens.issue(alice);
    const [data, sig] = token.slice(4).split(".");
    const forged = Buffer.from(JSON.stringify({ u: "bob", e: 9e15, f: "x" })).toString("base64url");
    assert.equal(tokens.verify(`rws_${forged}.${sig}`, [alice]).ok, false);
    assert.equal(tokens.verify(`rws_${data}.${sig}x`, [alice]).ok, false);
    assert.equal(createSessionTokens("secret-b", () => now).verify(token, [alice]).ok, false);
    assert.equal(tokens.verify(token, [user("alice", "JDJhJDEwJGhhc2gy")]).ok, false);
    assert.equal(tokens.verify(token, []).ok, false);
    assert.equal(tokens.verify("Basic abc", [alice]).ok, false);
  });
});
