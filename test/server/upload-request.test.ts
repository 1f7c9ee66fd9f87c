/** Reading upload requests: plan, file name, declared size, form detection, and the form's file. */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { ValidationError } from "../../src/errors.js";
import type { NodeRequest } from "../../src/server/http-handler.js";
import { readFormFile } from "../../src/server/upload-form.js";
import {
  declaredSize,
  filenameFromDisposition,
  filenameFromQuery,
  isMultipartForm,
  planIdOfPath,
} from "../../src/server/upload-request.js";

describe("upload request head", () => {
  it("finds the plan id in the path", () => {
    assert.equal(planIdOfPath("/v1/upload/plan1"), "plan1");
    assert.equal(planIdOfPath("/v1/upload/my%2Eplan"), "my.plan");
    assert.equal(planIdOfPath("/v1/upload/bad%E0"), "bad%E0");
    assert.equal(planIdOfPath("/v1/upload"), "");
    assert.equal(planIdOfPath("/v1/upload/"), "");
    assert.equal(planIdOfPath("/v1/upload/a/b"), "");
    assert.equal(planIdOfPath("/v1/uploads/a"), undefined);
    assert.equal(planIdOfPath("/v1.Backrest/Backup"), undefined);
  });

  it("reads ?filename= percent-decoded", () => {
    assert.equal(filenameFromQuery("/v1/upload/p?filename=db.sql"), "db.sql");
    assert.equal(
      filenameFromQuery("/v1/upload/p?x=1&filename=na%C3%AFve%20db.sql"),
      "naïve db.sql",
    );
    assert.equal(filenameFromQuery("/v1/upload/p?filename=a%0Ab"), "a\nb");
    assert.equal(filenameFromQuery("/v1/upload/p?filename="), "");
    assert.equal(filenameFromQuery("/v1/upload/p"), undefined);
    assert.equal(filenameFromQuery("/v1/upload/p?other=1"), undefined);
  });

  it("reads the file name of Content-Disposition, quoted, bare or extended (which wins)", () => {
    assert.equal(filenameFromDisposition('attachment; filename="db.sql"'), "db.sql");
    assert.equal(filenameFromDisposition("attachment; filename=db.sql"), "db.sql");
    assert.equal(filenameFromDisposition('inline;filename="a \\"b\\"; c.txt"'), 'a "b"; c.txt');
    assert.equal(filenameFromDisposition('attachment; FILENAME="x"'), "x");
    assert.equal(
      filenameFromDisposition(
        `attachment; filename="fallback.sql"; filename*=UTF-8''na%C3%AFve.sql`,
      ),
      "naïve.sql",
    );
    assert.equal(filenameFromDisposition("attachment; filename*=iso-8859-1'en'caf%E9"), "café");
    assert.equal(filenameFromDisposition("attachment"), undefined);
    assert.equal(filenameFromDisposition(undefined), undefined);
  });

  it("refuses an extended file name it cannot decode, saying how to encode it", () => {
    const cases: [string, RegExp][] = [
      ["attachment; filename*=UTF-8''%E0%A4", /not valid percent-encoded UTF-8/],
      ["attachment; filename*=naive.sql", /must have the form UTF-8''/],
      ["attachment; filename*=koi8-r''x", /uses the charset "koi8-r"; use UTF-8/],
    ];
    for (const [header, message] of cases) {
      assert.throws(
        () => filenameFromDisposition(header),
        (e: unknown) => e instanceof ValidationError && message.test(e.message),
        header,
      );
    }
  });

  it("reads the declared size and recognizes forms", () => {
    assert.equal(declaredSize("1024"), 1024);
    assert.equal(declaredSize(undefined), undefined);
    assert.equal(declaredSize("-1"), undefined);
    assert.equal(declaredSize("12abc"), undefined);
    assert.equal(isMultipartForm("multipart/form-data; boundary=x"), true);
    assert.equal(isMultipartForm("Multipart/Form-Data;boundary=x"), true);
    assert.equal(isMultipartForm("application/x-www-form-urlencoded"), false);
    assert.equal(isMultipartForm("multipart/form-datax"), false);
    assert.equal(isMultipartForm(undefined), false);
  });
});

/** A request of `parts` (name, file name or undefined for a text field, content) and its form head. */
function formRequest(parts: [string, string | undefined, string][], end = true) {
  const boundary = "----restwell-test";
  const body = parts
    .map(([name, filename, content]) => {
      const file = filename === undefined ? "" : `; filename="${filename}"`;
      return `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n${content}\r\n`;
    })
    .join("");
  const req = Object.assign(new PassThrough(), {
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    complete: false,
  });
  req.write(body);
  if (end) req.end(`--${boundary}--\r\n`);
  return req as unknown as NodeRequest & PassThrough;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text;
}

describe("upload form", () => {
  it("hands over the file part's name and bytes, skipping text fields", async () => {
    const file = await readFormFile(
      formRequest([
        ["note", undefined, "ignored"],
        ["file", "dir/db.sql", "the content"],
      ]),
    );
    assert.equal(file.filename, "db.sql");
    assert.equal(await readAll(file.body), "the content");
  });

  it("fails the file with a ValidationError when a second file follows", async () => {
    const file = await readFormFile(
      formRequest([
        ["a", "one.bin", "first"],
        ["b", "two.bin", "second"],
      ]),
    );
    await assert.rejects(
      readAll(file.body),
      (e: unknown) => e instanceof ValidationError && /more than one file/.test(e.message),
    );
  });

  it("does not end the file before the form's end, and fails it when the client goes away", async () => {
    const req = formRequest([["file", "cut.bin", "partial"]], false);
    const file = await readFormFile(req);
    let ended = false;
    file.body.on("end", () => {
      ended = true;
    });
    const read = readAll(file.body);
    await new Promise((r) => setImmediate(r));
    assert.equal(ended, false);
    req.destroy(new Error("aborted"));
    await assert.rejects(read, /closed the connection before the form's end/);
  });

  it("refuses a form without a file part, and a malformed one", async () => {
    await assert.rejects(
      readFormFile(formRequest([["note", undefined, "text only"]])),
      (e: unknown) =>
        e instanceof ValidationError && /no file part.*curl -F file=@db.sql/.test(e.message),
    );
    const noBoundary = Object.assign(new PassThrough(), {
      headers: { "content-type": "multipart/form-data" },
    }) as unknown as NodeRequest;
    await assert.rejects(
      readFormFile(noBoundary),
      (e: unknown) => e instanceof ValidationError && /cannot be read/.test(e.message),
    );
  });
});
