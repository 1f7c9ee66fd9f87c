/** The audit log: who did what, when, from where, and how it ended. */

/** One recorded action. Never holds a secret: callers pass ids and names only. */
export interface AuditEventInput {
  /** When it happened, in Unix ms (default: the store's clock). */
  timeMs?: number;
  /** "user:alice", "key:<id>", "anonymous", "link" (a signed download link), or "" when unknown. */
  actor: string;
  /** The client's address. */
  address: string;
  userAgent: string;
  /** What, e.g. "config.set", "backup.start", "auth.failed". */
  action: string;
  /** What it was done to: a plan, repo, key or operation id, a user name tried. */
  target: string;
  /** "ok", or the lower snake case name of the error code it ended with. */
  outcome: string;
  requestId: string;
  /** Further details, coarse and free of secrets. */
  detail: string;
}

/** A stored event. */
export interface AuditEvent extends Required<AuditEventInput> {
  /** Increases with every event; pages are cut by it. */
  id: number;
}

/** A page of events, newest first. */
export interface AuditQuery {
  /** At most this many events. */
  limit: number;
  /** Only events older than this id (the previous page's last id). */
  beforeId?: number;
  /** Only events whose action starts with this. */
  actionPrefix?: string;
  /** Only events of this actor. */
  actor?: string;
  /** Only events at or after this time (Unix ms). */
  sinceMs?: number;
}

/** Records audit events (the API and HTTP layers). */
export interface AuditRecorder {
  /** Stores an event and returns its id. Long fields are cut to a bounded length. */
  record(event: AuditEventInput): number;
}

export interface AuditStore extends AuditRecorder {
  /** Events matching `query`, newest (highest id) first. */
  list(query: AuditQuery): AuditEvent[];
  /** Deletes events older than `beforeMs`; returns how many. */
  expire(beforeMs: number): number;
  close(): void;
}
