/**
 * The daemon's config as this tab last read it (secrets redacted), shared by every view.
 * Changes go through `saveConfig`, which edits a copy and sends it with the modno it was read
 * at, so a change made elsewhere in between is refused rather than overwritten.
 */
import { clone } from "@bufbuild/protobuf";
import { useEffect, useSyncExternalStore } from "react";
import { type Config, ConfigSchema } from "../../../gen/v1/config_pb";
import { backrest } from "./clients";
import { errorMessage } from "./errors";

interface ConfigState {
  config?: Config;
  error?: string;
  loading: boolean;
}

let state: ConfigState = { loading: false };
let inflight: Promise<Config> | undefined;
const listeners = new Set<() => void>();

function set(next: ConfigState) {
  state = next;
  for (const listener of listeners) listener();
}

/** Reads the config from the daemon (one request at a time). */
export function loadConfig(): Promise<Config> {
  inflight ??= (async () => {
    set({ ...state, loading: true });
    try {
      const config = await backrest.getConfig({});
      set({ config, loading: false });
      return config;
    } catch (err) {
      set({ ...state, loading: false, error: errorMessage(err) });
      throw err;
    } finally {
      inflight = undefined;
    }
  })();
  return inflight;
}

/** Replaces the stored copy with a config the daemon returned. */
export function setConfig(config: Config): void {
  set({ config, loading: false });
}

/**
 * Applies `edit` to a copy of the current config and saves it (SetConfig with the current
 * modno). Resolves with the saved config; rejects with the daemon's error.
 */
export async function saveConfig(edit: (draft: Config) => void): Promise<Config> {
  const current = state.config ?? (await loadConfig());
  const draft = clone(ConfigSchema, current);
  edit(draft);
  const saved = await backrest.setConfig(draft);
  setConfig(saved);
  return saved;
}

/** Forgets the config (on sign-out). */
export function clearConfig(): void {
  set({ loading: false });
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The config; loads it when this is the first use. */
export function useConfig(): ConfigState & { reload: () => Promise<Config> } {
  const s = useSyncExternalStore(subscribe, () => state);
  useEffect(() => {
    if (!state.config && !inflight) loadConfig().catch(() => {});
  }, []);
  return { ...s, reload: loadConfig };
}
