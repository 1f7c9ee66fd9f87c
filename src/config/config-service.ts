/**
 * The config as the API sees it: secrets redacted on the way out, and restored from the
 * stored config when a client sends the redaction marker back.
 */
import { clone, create } from "@bufbuild/protobuf";
import { type Config, ConfigSchema, SettingsSchema } from "../../gen/v1/config_pb.js";
import { NotFoundError } from "../errors.js";
import type { ConfigStore } from "./config-store.js";
import { redactConfig, restoreRedacted } from "./redact.js";

export interface ConfigService {
  /** The current config with every secret replaced by the redaction marker. */
  getRedacted(): Config;
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
  return {
    getRedacted: () => redactConfig(store.get()),
    replace(incoming) {
      const restored = restoreRedacted(incoming, store.get());
      return redactConfig(store.update(restored, { expectedModno: incoming.modno }));
    },
    redact: redactConfig,
    setPaused(planId, paused) {
      const next = clone(ConfigSchema, store.get());
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
