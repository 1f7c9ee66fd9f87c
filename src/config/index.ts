/**
 * Public API of the config layer: load, validate (all problems at once), migrate, atomic
 * save and secret redaction of the Backrest-compatible config.json.
 */
export type { ConfigFs } from "./atomic-write.js";
export { HISTORY_DIR } from "./config-history.js";
export { parseConfigJson, serializeConfig } from "./config-json.js";
export { type ConfigStore, type ConfigStoreOptions, openConfigStore } from "./config-store.js";
export { defaultConfig } from "./defaults.js";
export { ID_PATTERN, sanitizeInstanceName } from "./ids.js";
export { ConfigLoadError } from "./load-error.js";
export { CURRENT_CONFIG_VERSION, migrateConfig } from "./migrate.js";
export { findRedactionMarkers, REDACTED, redactConfig, restoreRedacted } from "./redact.js";
export { type ValidationIssue, validateConfig } from "./validate.js";
export { checkCron } from "./validate-schedule.js";
