/**
 * The config as the API sees it: secrets redacted on the way out, and restored from the
 * stored config when a client sends the redaction marker back.
 */
import { clone, create } from "@bufbuild/protobuf";
import { type Config, ConfigSchema, SettingsSchema } from "../../gen/v1/config_pb.js";
import { deepFreeze } from "../deep-freeze.js";
import { NotFoundError } from "../errors.js";
import type { ConfigStore } from "./config-store.js";
import { redactConfig, restoreRedacted } from "./redact.js";

export interface ConfigService {
  /**
   * The current config with every secret replaced by the redaction marker: one shared, frozen
   * copy per saved config (made on first use), for reading and sending only.
   */
  getRedacted(): Readonly<Config>;
  /**
   * Replaces the config with `incoming`, which must carry the current modno (else
   * ConflictError). Redacted secrets keep their stored values. Returns the saved config, redacted.
   */
  replace(incoming: Config): Config;
  /** Redacts a config about to leave the daemon. */
  redact(cfg: Config): Config;
  /** Pauses or resumes one plan's schedule, or (planId "") every schedule. Returns the saved config, redacted. */
  setPaused(planId: string, paused: boolean): Config;
}

export function createConfigService(store: ConfigStore): ConfigService {
  // Redacted once per saved config: the snapshot is replaced, never changed, on a save.
  let redacted: { of: Readonly<Config>; config: Readonly<Config> } | undefined;
  return {
    getRedacted() {
      const current = store.snapshot();
      if (redacted?.of !== current)
        redacted = { of: current, config: deepFreeze(redactConfig(current)) };
      return redacted.config;
    },
    replace(incoming) {
      const restored = restoreRedacted(incoming, store.snapshot());
      return redactConfig(store.update(restored, { expectedModno: incoming.modno }));
    },
    redact: redactConfig,
    setPaused(planId, paused) {
      const next = clone(ConfigSchema, store.snapshot());
      if (planId) {
        const plan = next.plans.find((p) => p.id === planId);
        if (!plan) throw new NotFoundError("plan", planId);
        plan.paused = paused;
      } else {
        next.settings ??= create(SettingsSchema);
        next.settings.paused = paused;
      }
      return redactConfig(store.update(next));
    },
  };
}
