/**
 * The file of a multipart/form-data upload (curl -F file=@db.sql): reads the form up to its
 * file part and hands over that file's bytes as a stream that ends only once the whole form
 * has been read and found to hold no other file. Until its reader asks for data, backpressure
 * keeps the rest of the request unread (busboy waits for the file stream to be read).
 */
import { type Readable, Transform } from "node:stream";
import busboy from "busboy";
import { ValidationError } from "../errors.js";
import { UploadInterruptedError } from "../orchestrator/upload-input.js";
import type { NodeRequest } from "./http-handler.js";

/** The one file of an upload form. */
export interface FormFile {
  /** The file part's file name (busboy keeps its last path segment only); "" when it has none. */
  filename: string;
  /**
   * The file's bytes. Ends when the form is complete; fails with a ValidationError for a
   * second file or a malformed form, and with another error when the client went away.
   */
  body: Readable;
}

/** Bounds on what a form may carry besides its file (text fields are skipped unread). */
const FORM_LIMITS = { files: 1, fields: 32, fieldSize: 64 * 1024, parts: 64, headerPairs: 64 };

const invalidForm = (message: string) =>
  new ValidationError([{ path: "", message }], "invalid upload");

/**
 * Reads `req` (a multipart/form-data request) up to its file part. Rejects with a
 * ValidationError when the form is malformed or ends without a file, and with
 * UploadInterruptedError when the client goes away before the file part begins.
 */
export function readFormFile(req: NodeRequest): Promise<FormFile> {
  return new Promise((resolve, reject) => {
    let form: busboy.Busboy;
    try {
      form = busboy({ headers: req.headers, limits: FORM_LIMITS });
    } catch (err) {
      reject(invalidForm(`the multipart form cannot be read (${messageOf(err)})`));
      return;
    }
    let found = false;
    let failed = false;
    let formRead!: () => void;
    let formFailed!: (err: Error) => void;
    const complete = new Promise<void>((res, rej) => {
      formRead = res;
      formFailed = rej;
    });
    complete.catch(() => {});
    // Holds back the file's end until the form is known to be complete and valid.
    const gate = new Transform({
      transform: (chunk, _encoding, done) => done(null, chunk),
      flush: (done) => {
        complete.then(() => done(), done);
      },
    });
    gate.on("error", () => {}); // its reader hears the failure; nobody else must crash on it
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      formFailed(err);
      if (found) gate.destroy(err);
      else reject(err);
      req.unpipe(form);
    };
    form.on("file", (_field, stream, info) => {
      found = true;
      stream.on("error", () => {}); // the form's error says what went wrong
      stream.pipe(gate);
      resolve({ filename: info.filename ?? "", body: gate });
    });
    form.on("filesLimit", () =>
      fail(invalidForm("the form has more than one file; send one file per upload")),
    );
    // busboy only sees what the client sent (an aborted request never reaches its end), so its
    // errors are about the form itself.
    form.on("error", (err: unknown) =>
      fail(invalidForm(`the multipart form is malformed (${messageOf(err)})`)),
    );
    form.on("finish", () => {
      if (found) formRead();
      else
        fail(
          invalidForm(
            "the form has no file part; send the file as a form field with a file name, e.g. curl -F file=@db.sql",
          ),
        );
    });
    let ended = false;
    req.on("end", () => {
      ended = true;
    });
    const interrupted = (cause?: unknown) =>
      fail(
        found
          ? new Error("the client closed the connection before the form's end", { cause })
          : new UploadInterruptedError(0, cause === undefined ? undefined : { cause }),
      );
    req.on("error", (err) => interrupted(err));
    req.on("close", () => {
      if (!ended) interrupted();
    });
    req.pipe(form);
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
