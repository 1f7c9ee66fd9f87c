/** Handlers of the v1.Audit service: ListAuditEvents, a page at a time, newest first. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Audit, AuditEventListSchema, AuditEventSchema } from "../../gen/v1/access_pb.js";
import type { AuditEvent, AuditQuery } from "../audit/types.js";
import { ValidationError } from "../errors.js";

export const AUDIT_PAGE_SIZE = { default: 100, max: 1000 };

export interface AuditServiceDeps {
  audit: { list(query: AuditQuery): AuditEvent[] };
}

/** Creates the v1.Audit handlers. */
export function createAuditService(deps: AuditServiceDeps): ServiceImpl<typeof Audit> {
  return {
    listAuditEvents(req) {
      if (req.pageSize < 0 || req.sinceMs < 0n) {
        throw new ValidationError([
          ...(req.pageSize < 0
            ? [
                {
                  path: "page_size",
                  message: `must be 0 (default ${AUDIT_PAGE_SIZE.default}) or more`,
                },
              ]
            : []),
          ...(req.sinceMs < 0n ? [{ path: "since_ms", message: "must not be negative" }] : []),
        ]);
      }
      const pageSize = Math.min(req.pageSize || AUDIT_PAGE_SIZE.default, AUDIT_PAGE_SIZE.max);
      // One more than a page tells whether another page follows.
      const events = deps.audit.list({
        limit: pageSize + 1,
        beforeId: req.pageToken ? parsePageToken(req.pageToken) : undefined,
        actionPrefix: req.actionPrefix || undefined,
        actor: req.actor || undefined,
        sinceMs: req.sinceMs > 0n ? Number(req.sinceMs) : undefined,
      });
      const page = events.slice(0, pageSize);
      const last = page.at(-1);
      return create(AuditEventListSchema, {
        events: page.map((e) =>
          create(AuditEventSchema, { ...e, id: BigInt(e.id), timeMs: BigInt(e.timeMs) }),
        ),
        nextPageToken: events.length > pageSize && last ? pageToken(last.id) : "",
      });
    },
  };
}

/** The opaque token of the page after the event with `id`. */
function pageToken(id: number): string {
  return Buffer.from(`before:${id}`).toString("base64url");
}

function parsePageToken(token: string): number {
  const m = /^before:(\d{1,16})$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!m?.[1]) {
    throw new ValidationError([
      {
        path: "page_token",
        message: "is not a token this server returned; pass next_page_token of the previous page",
      },
    ]);
  }
  return Number(m[1]);
}
