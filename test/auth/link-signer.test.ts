import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLinkSigner } from "../../src/auth/link-signer.js";

describe("link signer", () => {
  it("round-trips a payload until it expires", () => {
    let now = 1_000;
    const signer = createLinkSigner(() => now);
    const token = signer.sign({ p: "/a" }, 500);
    assert.deepEqual(signer.verify(token), { p: "/a" });
    now = 1_499;
    assert.deepEqual(signer.verify(token), { p: "/a" });
    now = 1_500;
    assert.equal(signer.verify(token), undefined);
  });

  it("refuses altered tokens and tokens of another key", () => {
    const signer = createLinkSigner();
    const token = signer.sign({ p: "/a" }, 60_000);
    const [body, sig] = token.split(".") as [string, string];
    const altered = Buffer.from(
      Buffer.from(body, "base64url").toString().replace("/a", "/b"),
    ).toString("base64url");
    assert.equal(signer.verify(`${altered}.${sig}`), undefined);
    assert.equal(signer.verify(`${body}.${sig}x`), undefined);
    assert.equal(signer.verify(`${body}`), undefined);
    assert.equal(signer.verify(`${body}.${sig}.extra`), undefined);
    assert.equal(createLinkSigner().verify(token), undefined);
  });
});
