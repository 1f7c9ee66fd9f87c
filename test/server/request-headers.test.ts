import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NodeRequestHeaders } from "../../src/server/request-headers.js";

/** Node's headers of a request as node:http and node:http2 give them. */
const node = () => ({
  ":path": "/v1.Backrest/GetConfig",
  authorization: "Bearer rw_x",
  "content-type": "application/json",
  "set-cookie": ["a=1", "b=2"],
  "x-empty": "",
});

/** The same headers as a plain Headers, the way they were built before. */
function plain(): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(node())) {
    if (name.startsWith(":")) continue;
    if (typeof value === "string") out.append(name, value);
    else for (const v of value) out.append(name, v);
  }
  return out;
}

describe("NodeRequestHeaders", () => {
  it("reads like a Headers built from the same headers, in any case", () => {
    const h = new NodeRequestHeaders(node());
    const p = plain();
    for (const name of ["Authorization", "content-type", "SET-COOKIE", "x-empty", "missing"]) {
      assert.equal(h.get(name), p.get(name), name);
      assert.equal(h.has(name), p.has(name), name);
    }
    assert.equal(h.get(":path"), null, "HTTP/2 pseudo-headers are not headers");
    assert.ok(h instanceof Headers);
  });

  it("lists what a Headers lists", () => {
    assert.deepEqual([...new NodeRequestHeaders(node())], [...plain()]);
    assert.deepEqual([...new NodeRequestHeaders(node()).keys()], [...plain().keys()]);
    assert.deepEqual([...new NodeRequestHeaders(node()).values()], [...plain().values()]);
    assert.deepEqual(new NodeRequestHeaders(node()).getSetCookie(), ["a=1", "b=2"]);
    const seen: string[] = [];
    new NodeRequestHeaders(node()).forEach((v, k) => {
      seen.push(`${k}=${v}`);
    });
    assert.deepEqual(
      seen,
      [...plain()].map(([k, v]) => `${k}=${v}`),
    );
  });

  it("changes like a Headers, without touching Node's object", () => {
    const source = node();
    const h = new NodeRequestHeaders(source);
    h.set("authorization", "Basic eA==");
    h.append("x-new", "1");
    h.delete("content-type");
    assert.equal(h.get("authorization"), "Basic eA==");
    assert.equal(h.get("x-new"), "1");
    assert.equal(h.has("content-type"), false);
    assert.equal(h.get("set-cookie"), "a=1, b=2");
    assert.equal(source.authorization, "Bearer rw_x");
    assert.equal(source["content-type"], "application/json");
  });

  it("refuses a header value a Headers refuses", () => {
    assert.throws(() => new NodeRequestHeaders(node()).set("x-bad", "a\nb"), TypeError);
  });
});
