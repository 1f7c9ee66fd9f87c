/** The environment of one restic call: where secrets travel, since argv is visible to every user. */
import { collectSecrets } from "./mask.js";
import type { ResticRepo } from "./types.js";

/**
 * restic prints backup progress at this rate (frames per second). With --json and no
 * setting, restic 0.14 prints 60 a second, far more than any display needs.
 */
export const PROGRESS_FPS = "2";

/** A call's environment and the secrets to mask from anything it prints. */
export interface CallEnv {
  env: Record<string, string>;
  secrets: string[];
}

/**
 * Builds the child's whole environment: `base`, then the progress rate, then `repo.env`,
 * then RESTIC_REPOSITORY and RESTIC_PASSWORD. The URI goes by environment too because it
 * may embed credentials (`rest:https://user:pass@host/`). Without a repo (e.g.
 * `restic version`) only `base` is used.
 */
export function buildCallEnv(base: Readonly<Record<string, string>>, repo?: ResticRepo): CallEnv {
  if (!repo) return { env: { ...base }, secrets: collectSecrets(undefined, base) };
  const env: Record<string, string> = {
    ...base,
    RESTIC_PROGRESS_FPS: PROGRESS_FPS,
    ...repo.env,
    RESTIC_REPOSITORY: repo.uri,
  };
  if (repo.password !== undefined) env.RESTIC_PASSWORD = repo.password;
  return { env, secrets: collectSecrets(repo.password, env, [repo.uri]) };
}
