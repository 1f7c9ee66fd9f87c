/** Maps a configured repository to what the restic module needs to reach it. */
import type { Repo } from "../../gen/v1/config_pb.js";
import type { ResticRepo } from "../restic/types.js";

/** Builds the restic view of a repo: uri, password, NAME=value env entries as a record, flags. */
export function resticRepoOf(repo: Repo): ResticRepo {
  const env: Record<string, string> = {};
  for (const entry of repo.env) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return {
    uri: repo.uri,
    ...(repo.password ? { password: repo.password } : {}),
    env,
    flags: [...repo.flags],
  };
}
