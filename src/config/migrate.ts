import { createHash } from "node:crypto";
import { clone } from "@bufbuild/protobuf";
import { type Config, ConfigSchema, Schedule_Clock } from "../../gen/v1/config_pb.js";
import { ValidationError } from "../errors.js";

/** The config file format this build writes; equal to Backrest's version for the same format. */
export const CURRENT_CONFIG_VERSION = 4;

/** Oldest version a migration path exists for (Backrest 1.4.0 upgrades anything older). */
const OLDEST_MIGRATABLE_VERSION = 2;

/** One step that turns a config of version `from` into version `from + 1`, in place. */
interface Migration {
  from: number;
  description: string;
  apply(cfg: Config): void;
}

/**
 * The steps, in order. To change the format: bump CURRENT_CONFIG_VERSION and append a step
 * whose `from` is the previous current version.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    from: 2,
    description: "prune and check schedules count from the last run (Backrest migration 003)",
    apply(cfg) {
      for (const repo of cfg.repos) {
        const prune = repo.prunePolicy?.schedule;
        if (prune) prune.clock = Schedule_Clock.LAST_RUN_TIME;
        const check = repo.checkPolicy?.schedule;
        if (check) check.clock = Schedule_Clock.LAST_RUN_TIME;
      }
    },
  },
  {
    from: 3,
    description: "repos get a guid derived from their id (Backrest migration 004)",
    apply(cfg) {
      for (const repo of cfg.repos) {
        if (repo.guid === "") repo.guid = createHash("sha256").update(repo.id).digest("hex");
      }
    },
  },
];

/**
 * Returns a copy of `cfg` brought to CURRENT_CONFIG_VERSION; `cfg` is not modified.
 * - version 0 (missing, e.g. a hand-written file) is taken to be in the current format;
 * - versions 2..current-1 run every step from their version up;
 * - version 1 is refused (ValidationError at `version`): Backrest 1.4.0 must upgrade it first;
 * - versions newer than current (written by a newer Backrest) are returned unchanged, so
 *   saving never downgrades the version a newer Backrest will read back.
 */
export function migrateConfig(cfg: Config): Config {
  const out = clone(ConfigSchema, cfg);
  if (out.version === 0) {
    out.version = CURRENT_CONFIG_VERSION;
    return out;
  }
  if (out.version > CURRENT_CONFIG_VERSION) return out;
  if (out.version < OLDEST_MIGRATABLE_VERSION) {
    throw new ValidationError(
      [
        {
          path: "version",
          message: `config version ${out.version} is too old to migrate; open it once with Backrest 1.4.0 to upgrade it, then retry`,
        },
      ],
      "cannot migrate config",
    );
  }
  for (const step of MIGRATIONS) {
    if (step.from === out.version) {
      step.apply(out);
      out.version = step.from + 1;
    }
  }
  return out;
}
