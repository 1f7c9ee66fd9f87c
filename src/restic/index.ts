/**
 * The restic module: the only code in Restwell that spawns restic. Callers use
 * createRestic() and the types; the parse helpers are exported for tests and for code that
 * reads restic output captured elsewhere.
 */
export { backupArgs, createBackupCollector, MAX_FILE_ERRORS } from "./backup.js";
export {
  describeGoError,
  errnoText,
  toBackupFileError,
  toBackupStatus,
  toBackupSummary,
} from "./backup-messages.js";
export { classifyFailure, parseExitError, resticErrorFor } from "./classify.js";
export { repoOverridingArg } from "./command.js";
export { type CreateResticOptions, createRestic } from "./create-restic.js";
export { createDiffReader, diffArgs, MAX_DIFF_CHANGES, toDiffStatistics } from "./diff.js";
export { DumpStreamClosedError, dumpArgs } from "./dump.js";
export { ResticCancelledError, ResticError, type ResticErrorKind } from "./errors.js";
export { forgetArgs, keepRuleArgs, parseForgetOutput } from "./forget.js";
export { createLineSplitter, parseJsonObject } from "./json-lines.js";
export { parseKeyList } from "./keys.js";
export { createLsReader, lsArgs, toLsNode } from "./ls.js";
export { checkArgs, checkFailure, pruneArgs } from "./maintenance.js";
export { collectSecrets, isSecretName, MASK, maskSecrets } from "./mask.js";
export {
  createRestoreCollector,
  escapeIncludePattern,
  restoreArgs,
  toRestoreProgress,
} from "./restore.js";
export { parseRepoId, parseResticTime, parseSnapshots, toSnapshot } from "./snapshots.js";
export { parseStats, statsArgs } from "./stats.js";
export { tagArgs } from "./tag.js";
export { createTextOutput, MAX_TEXT_OUTPUT_CHARS } from "./text-output.js";
export type * from "./types.js";
export { parseResticVersion, versionAtLeast } from "./version.js";
