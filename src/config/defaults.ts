import { create } from "@bufbuild/protobuf";
import { AuthSchema, type Config, ConfigSchema } from "../../gen/v1/config_pb.js";
import { sanitizeInstanceName } from "./ids.js";
import { CURRENT_CONFIG_VERSION } from "./migrate.js";

/**
 * The config written on first start: `instance` (typically the hostname) sanitized to the id
 * pattern, no repos, no plans, modno 0, the current version, and authentication disabled.
 *
 * Auth is disabled because there are no users yet and no web UI to create the first one, so a
 * locked default would lock everyone out; this is only safe because the daemon binds to
 * 127.0.0.1 by default. Add a user (or bind elsewhere) only together with enabling auth.
 */
export function defaultConfig(instance: string): Config {
  return create(ConfigSchema, {
    modno: 0,
    version: CURRENT_CONFIG_VERSION,
    instance: sanitizeInstanceName(instance),
    repos: [],
    plans: [],
    auth: create(AuthSchema, { disabled: true, users: [] }),
  });
}

/** settings.uploadMaxBytes when unset (0): the largest upload body, 10 GiB. */
export const DEFAULT_UPLOAD_MAX_BYTES = 10n * 1024n ** 3n;
