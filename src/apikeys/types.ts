/** API keys as stored: everything but the token, which only its digest stands for. */

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** Permission names as created (see src/auth/permissions.ts). */
  permissions: string[];
  /** The token's first characters, to recognise it. */
  tokenHint: string;
  createdMs: number;
  /** 0: never expires. */
  expiresMs: number;
  /** 0: never used. */
  lastUsedMs: number;
  disabled: boolean;
  /** Who created it, e.g. "user:alice". */
  createdBy: string;
}

/** Where keys are kept (SQLite in the daemon, a map in unit tests). */
export interface KeyStore {
  insert(key: Omit<ApiKeyRecord, "lastUsedMs" | "disabled">, digest: Buffer): void;
  findByDigest(digest: Buffer): ApiKeyRecord | undefined;
  get(id: string): ApiKeyRecord | undefined;
  /** Newest first. */
  list(): ApiKeyRecord[];
  /** False when there is no such key. */
  setDisabled(id: string, disabled: boolean): boolean;
  /** Records a use (never moves the time back). */
  touch(id: string, nowMs: number): void;
  /** False when there is no such key. */
  delete(id: string): boolean;
  close(): void;
}
