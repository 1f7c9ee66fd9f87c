export { type ApiKeyService, createApiKeyService, type KeyCheck } from "./key-service.js";
export { createMemoryKeyStore } from "./memory-key-store.js";
export { openSqliteKeyStore } from "./sqlite-key-store.js";
export { TOKEN_PREFIX } from "./token.js";
export type { ApiKeyRecord, KeyStore } from "./types.js";
