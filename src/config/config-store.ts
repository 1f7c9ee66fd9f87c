import { dirname, join } from "node:path";
import { clone, equals } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../../gen/v1/config_pb.js";
import { deepFreeze } from "../deep-freeze.js";
import { ConflictError, ValidationError } from "../errors.js";
import { type ConfigFs, realFs, removeStrayTempFiles, writeFileAtomic } from "./atomic-write.js";
import { HISTORY_DIR, keepVersion } from "./config-history.js";
import { parseConfigJson, serializeConfig } from "./config-json.js";
import { defaultConfig } from "./defaults.js";
import { ConfigLoadError } from "./load-error.js";
import { migrateConfig } from "./migrate.js";
import { validateConfig } from "./validate.js";

/** The daemon's config: one file, read at open, replaced atomically on every update. */
export interface ConfigStore {
  /** Path of the config file. */
  readonly path: string;
  /** The current config, as a fresh copy the caller owns (mutating it changes nothing). */
  get(): Config;
  /**
   * The current config itself, without a copy: shared by every caller and deeply frozen, so
   * it is for reading only (assigning to any field of it throws). For reads on hot paths (every
   * request checks the users, every GetConfig redacts it); update() replaces it by a new one,
   * it never changes. Use get() for a copy to edit.
   */
  snapshot(): Readonly<Config>;
  /**
   * Validates `next` (ValidationError listing every issue), checks `expectedModno` when given
   * (ConflictError if it is stale), bumps modno, keeps the previous file in config-history,
   * saves atomically, notifies listeners and returns a copy of the saved config. `next.modno`
   * and `next.version` are ignored: the store owns both. Synchronous, so two callers cannot
   * interleave between the modno check and the write. On any error nothing changes.
   */
  update(next: Config, opts?: { expectedModno?: number }): Config;
  /** Calls `listener` with a copy of the config after every successful update; returns unsubscribe. */
  onChange(listener: (cfg: Config) => void): () => void;
}

/** Options of {@link openConfigStore}. */
export interface ConfigStoreOptions {
  /** Instance name for a first-start config (typically the hostname; it is sanitized). */
  defaultInstance: string;
  /** How many previous versions config-history keeps; default 10, 0 keeps none. */
  keepVersions?: number;
  /** File system seam, for tests that inject failures; default the real one. */
  fs?: ConfigFs;
  /** Receives errors thrown by listeners (the save already succeeded); default a process warning. */
  onListenerError?: (err: unknown) => void;
}

/**
 * Opens the config file at `path`. A missing file is created with {@link defaultConfig}
 * (parent folders mode 0700, file mode 0600). An existing file is parsed, migrated and
 * validated; any problem throws ConfigLoadError listing every issue, and the file is never
 * written in that case. A file that migration changed is saved back (bumped modno), the
 * original kept in config-history. Temp files left by an interrupted save are deleted.
 */
export function openConfigStore(path: string, opts: ConfigStoreOptions): ConfigStore {
  const fs = opts.fs ?? realFs;
  const keep = opts.keepVersions ?? 10;
  const historyDir = join(dirname(path), HISTORY_DIR);
  const save = (cfg: Config): void => {
    if (fs.existsSync(path)) {
      const previous = loadModno(fs, path);
      keepVersion(fs, historyDir, previous, fs.readFileSync(path), keep);
    }
    writeFileAtomic(fs, path, serializeConfig(cfg));
  };
  const current = loadOrCreate(fs, path, opts.defaultInstance, save);
  return createStore(path, current, save, opts.onListenerError ?? warnListenerError);
}

function loadOrCreate(
  fs: ConfigFs,
  path: string,
  defaultInstance: string,
  save: (cfg: Config) => void,
): Config {
  fs.mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  removeStrayTempFiles(fs, path);
  if (!fs.existsSync(path)) {
    const cfg = defaultConfig(defaultInstance);
    save(cfg);
    return cfg;
  }
  const loaded = readConfigFile(fs, path);
  if (equals(ConfigSchema, loaded.parsed, loaded.migrated)) return loaded.migrated;
  const migrated = clone(ConfigSchema, loaded.migrated);
  migrated.modno = loaded.parsed.modno + 1;
  save(migrated);
  return migrated;
}

function readConfigFile(fs: ConfigFs, path: string): { parsed: Config; migrated: Config } {
  const text = fs.readFileSync(path, "utf8");
  try {
    const parsed = parseConfigJson(text);
    const migrated = migrateConfig(parsed);
    const issues = validateConfig(migrated);
    if (issues.length > 0) throw new ValidationError(issues);
    return { parsed, migrated };
  } catch (err) {
    if (err instanceof ValidationError) throw new ConfigLoadError(path, err.issues, { cause: err });
    throw err;
  }
}

/** The modno of the file on disk, used to name its kept copy; 0 if it cannot be read. */
function loadModno(fs: ConfigFs, path: string): number {
  try {
    return parseConfigJson(fs.readFileSync(path, "utf8")).modno;
  } catch {
    return 0;
  }
}

function createStore(
  path: string,
  initial: Config,
  save: (cfg: Config) => void,
  onListenerError: (err: unknown) => void,
): ConfigStore {
  let current = deepFreeze(initial);
  const listeners = new Set<(cfg: Config) => void>();
  const notify = createNotifier(listeners, onListenerError);
  return {
    path,
    get: () => clone(ConfigSchema, current),
    snapshot: () => current,
    update(next, opts) {
      const expected = opts?.expectedModno;
      if (expected !== undefined && expected !== current.modno) {
        throw new ConflictError(
          `config was changed since it was read (modno ${expected}, current ${current.modno}); reload and retry`,
        );
      }
      const candidate = clone(ConfigSchema, next);
      candidate.modno = current.modno + 1;
      candidate.version = current.version;
      const issues = validateConfig(candidate);
      if (issues.length > 0) throw new ValidationError(issues, "invalid config");
      save(candidate);
      current = deepFreeze(candidate);
      notify(candidate);
      return clone(ConfigSchema, candidate);
    },
    onChange(listener) {
      // Wrap so the same function can subscribe twice and unsubscribe each independently.
      const entry = (cfg: Config): void => listener(cfg);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}

/**
 * Delivers saved configs to listeners in save order, even when a listener itself calls
 * update: such nested saves are queued behind the delivery in progress.
 */
function createNotifier(
  listeners: Set<(cfg: Config) => void>,
  onListenerError: (err: unknown) => void,
): (cfg: Config) => void {
  const queue: Config[] = [];
  let draining = false;
  return (cfg) => {
    queue.push(cfg);
    if (draining) return;
    draining = true;
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        for (const listener of [...listeners]) {
          try {
            listener(clone(ConfigSchema, next));
          } catch (err) {
            onListenerError(err);
          }
        }
      }
    } finally {
      draining = false;
    }
  };
}

function warnListenerError(err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  process.emitWarning(error, { type: "ConfigListenerError" });
}
