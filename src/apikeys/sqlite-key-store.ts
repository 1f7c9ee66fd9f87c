/**
 * API keys in SQLite (`<data>/keys.sqlite`): one row per key with the token's digest, never
 * the token. Only this module knows the table.
 */
import Database from "better-sqlite3";
import { migrate } from "../oplog/migrations.js";
import type { ApiKeyRecord, KeyStore } from "./types.js";

const MIGRATIONS = [
  (db: Database.Database) => {
    db.exec(`
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        permissions TEXT NOT NULL,
        token_digest BLOB NOT NULL UNIQUE,
        token_hint TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        last_used_ms INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_by TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
];

interface Row {
  id: string;
  name: string;
  permissions: string;
  token_hint: string;
  created_ms: number;
  expires_ms: number;
  last_used_ms: number;
  disabled: number;
  created_by: string;
}

const COLUMNS =
  "id, name, permissions, token_hint, created_ms, expires_ms, last_used_ms, disabled, created_by";

/** Opens (creating and migrating as needed) the key store at `path`; the caller closes it. */
export function openSqliteKeyStore(path: string): KeyStore {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    migrate(db, MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }
  const insert = db.prepare(
    `INSERT INTO api_keys (id, name, permissions, token_digest, token_hint, created_ms, expires_ms, created_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const byDigest = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE token_digest = ?`);
  const byId = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_ms DESC, id`);
  const setDisabled = db.prepare("UPDATE api_keys SET disabled = ? WHERE id = ?");
  const touch = db.prepare(
    "UPDATE api_keys SET last_used_ms = ? WHERE id = ? AND last_used_ms < ?",
  );
  const remove = db.prepare("DELETE FROM api_keys WHERE id = ?");

  return {
    insert(key, digest) {
      insert.run(
        key.id,
        key.name,
        JSON.stringify(key.permissions),
        digest,
        key.tokenHint,
        key.createdMs,
        key.expiresMs,
        key.createdBy,
      );
    },
    findByDigest: (digest) => fromRow(byDigest.get(digest) as Row | undefined),
    get: (id) => fromRow(byId.get(id) as Row | undefined),
    list: () => (all.all() as Row[]).map((row) => fromRow(row) as ApiKeyRecord),
    setDisabled: (id, disabled) => setDisabled.run(disabled ? 1 : 0, id).changes > 0,
    touch(id, nowMs) {
      touch.run(nowMs, id, nowMs);
    },
    delete: (id) => remove.run(id).changes > 0,
    close: () => db.close(),
  };
}

function fromRow(row: Row | undefined): ApiKeyRecord | undefined {
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    permissions: JSON.parse(row.permissions) as string[],
    tokenHint: row.token_hint,
    createdMs: row.created_ms,
    expiresMs: row.expires_ms,
    lastUsedMs: row.last_used_ms,
    disabled: row.disabled !== 0,
    createdBy: row.created_by,
  };
}
