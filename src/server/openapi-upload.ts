/**
 * The OpenAPI entry of the upload route (POST /v1/upload/{planId}, see upload-route.ts): the
 * one plain HTTP route of the API that is not an RPC but is meant for scripts.
 */
import type { JsonSchema } from "./openapi-schema.js";
import { SCHEMA_REF } from "./openapi-schema.js";
import { UPLOAD_PATH } from "./upload-request.js";

/** The path as OpenAPI writes it. */
export const UPLOAD_OPENAPI_PATH = `${UPLOAD_PATH}/{planId}`;

/** The tag of the upload route in the document. */
export const UPLOAD_TAG = "Uploads";

/**
 * The path item of the upload route. `permissionText` says who may call it (from the
 * permission table, as for RPCs); `errorSchema` names the component schema of error bodies.
 */
export function uploadPathItem(
  permissionText: string,
  permissionExtension: string,
  errorSchema: string,
): JsonSchema {
  const error = (description: string) => ({
    description,
    content: { "application/json": { schema: { $ref: `${SCHEMA_REF}${errorSchema}` } } },
  });
  const file = { type: "string", contentMediaType: "application/octet-stream" };
  return {
    post: {
      operationId: "upload",
      tags: [UPLOAD_TAG],
      summary: "Upload a file as a snapshot of a plan",
      description: [
        "Stores the request body (raw, e.g. `curl --data-binary @db.sql`, or the one file of a multipart form, e.g. `curl -F file=@db.sql`) in the plan's repository as a snapshot holding that one file, tagged `restwell:source:upload`. The upload is a backup operation of the plan: queued behind the repository's other operations (the body is read only on its turn; until then the client waits), with the plan's hooks, progress, cancel and the operation time limit. The answer comes once the snapshot is written.",
        "A body that does not arrive in full (the client disconnects, a body shorter than its Content-Length, a form with a second file) or grows past `settings.uploadMaxBytes` (default 10 GiB) leaves no snapshot; its operation is recorded as failed.",
        permissionText,
      ].join("\n\n"),
      "x-restwell-permission": permissionExtension,
      parameters: [
        { name: "planId", in: "path", required: true, schema: { type: "string" } },
        {
          name: "filename",
          in: "query",
          required: false,
          description:
            "The file's name in the snapshot; overrides Content-Disposition and the form's file name. One of the three is required. A bare name: no `/`, not `.` or `..`, no control characters, at most 255 bytes.",
          schema: { type: "string" },
        },
        {
          name: "Content-Disposition",
          in: "header",
          required: false,
          description:
            "For a raw body: `attachment; filename=<name>` (or `filename*=UTF-8''<percent-encoded>`).",
          schema: { type: "string" },
        },
      ],
      requestBody: {
        required: true,
        content: {
          "application/octet-stream": { schema: file },
          "multipart/form-data": {
            schema: {
              type: "object",
              description: "Exactly one file part; text fields are ignored.",
              properties: { file },
            },
          },
        },
      },
      responses: {
        201: {
          description: "The snapshot is written.",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["operationId", "snapshotId", "filename", "bytes"],
                properties: {
                  operationId: { type: "string", description: "The upload's backup operation." },
                  snapshotId: { type: "string" },
                  filename: { type: "string" },
                  bytes: { type: "integer", description: "Bytes stored." },
                },
              },
            },
          },
        },
        400: error("A missing or bad file name, or a malformed form or one with two files."),
        401: error("No credentials, or wrong ones."),
        403: error("The caller lacks the `plans:upload` permission."),
        404: error("The plan does not exist."),
        413: error(
          "The body is larger than `settings.uploadMaxBytes` (by Content-Length before it is read, or while streaming). Code: `resource_exhausted`.",
        ),
        429: error("Too many requests, or too many failed sign-ins; retry later."),
        default: error(
          "Any other error, e.g. the backup failed (`operationId` names its operation), or `canceled` (499) for an interrupted upload.",
        ),
      },
    },
  };
}
