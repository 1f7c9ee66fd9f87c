/** The authenticator's caching of password checks: one bcrypt run per credentials and hash. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type Auth, AuthSchema, UserSchema } from "../../gen/v1/config_pb.js";
import { createAuthenticator } from "../../src/auth/authenticator.js";
import { createSessionTokens } from "../../src/auth/session-tokens.js";

const basic = (name: string, pass: string) =>
  `Basic ${Buffer.from(`${name}:${pass}`).toString("base64")}`;

const authWith = (hash: string): Auth =>
  create(AuthSchema, {
    users: [
      create(UserSchema, { name: "alice", password: { case: "passwordBcrypt", value: hash } }),
    ],
  });

/**
 * An authenticator whose password check is a fake that counts its runs and answers only when
 * `release()` is called, so tests decide which checks overlap.
 */
function setup() {
  let auth = authWith("hash-1");
  const runs: { pass: string; hash: string; answer(ok: boolean): void }[] = [];
  const authn = createAuthenticator({
    getAuth: () => auth,
    verifyKey: () => ({ ok: false, reason: "bad-credentials" }),
    sessions: createSessionTokens("secret", () => 0),
    verifyPassword: (pass, hash) =>
      new Promise<boolean>((resolve) => runs.push({ pass, hash, answer: resolve })),
  });
  /** Answers every check still waiting: right when the password is "right" for hash-1. */
  const release = async () => {
    for (const run of runs.splice(0)) run.answer(run.pass === "right" && run.hash === "hash-1");
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { authn, runs, release, setAuth: (a: Auth) => (auth = a) };
}

describe("authenticator: password checks", () => {
  it("runs the check once for concurrent requests with the same credentials", async () => {
    const { authn, runs, release } = setup();
    const pending = Array.from({ length: 10 }, () => authn.authenticate(basic("alice", "right")));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runs.length, 1);
    await release();
    const results = await Promise.all(pending);
    assert.ok(results.every((r) => r.ok && r.principal.kind === "user"));
    // Later requests hit the cache: no check at all.
    assert.ok((await authn.authenticate(basic("alice", "right"))).ok);
    assert.equal(runs.length, 0);
  });

  it("shares a wrong password's check too, and does not cache its failure", async () => {
    const { authn, runs, release } = setup();
    const pending = Array.from({ length: 5 }, () => authn.authenticate(basic("alice", "wrong")));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runs.length, 1);
    await release();
    for (const result of await Promise.all(pending))
      assert.deepEqual(result, { ok: false, reason: "bad-credentials", user: "alice" });
    const again = authn.authenticate(basic("alice", "wrong"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runs.length, 1, "a failed check is run again");
    await release();
    assert.equal((await again).ok, false);
  });

  it("checks different credentials separately", async () => {
    const { authn, runs, release } = setup();
    const right = authn.authenticate(basic("alice", "right"));
    const wrong = authn.authenticate(basic("alice", "wrong"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runs.length, 2);
    await release();
    assert.equal((await right).ok, true);
    assert.equal((await wrong).ok, false);
  });

  it("checks again after the password changed or clearCache, never trusting the old answer", async () => {
    const { authn, runs, release, setAuth } = setup();
    const first = authn.authenticate(basic("alice", "right"));
    await new Promise((resolve) => setImmediate(resolve));
    await release();
    assert.ok((await first).ok);

    // A new hash: the cached success no longer counts, and a check against it runs.
    setAuth(authWith("hash-2"));
    const changed = authn.authenticate(basic("alice", "right"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.hash, "hash-2");
    await release();
    assert.equal((await changed).ok, false);

    setAuth(authWith("hash-1"));
    authn.clearCache();
    const cleared = authn.authenticate(basic("alice", "right"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runs.length, 1, "clearCache drops the cached success");
    await release();
    assert.ok((await cleared).ok);
  });

  it("does not join a check of the same password against a hash that has since changed", async () => {
    const { authn, runs, release, setAuth } = setup();
    const before = authn.authenticate(basic("alice", "right"));
    await new Promise((resolve) => setImmediate(resolve));
    setAuth(authWith("hash-2"));
    const after = authn.authenticate(basic("alice", "right"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      runs.map((r) => r.hash),
      ["hash-1", "hash-2"],
    );
    await release();
    assert.equal((await before).ok, true);
    assert.equal((await after).ok, false);
  });
});
