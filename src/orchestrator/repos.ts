/**
 * Adding and removing repositories: these touch the config, restic and the operation log
 * together, so they live here rather than in any one of those modules.
 */
import { clone } from "@bufbuild/protobuf";
import { type Config, ConfigSchema, type Repo, RepoSchema } from "../../gen/v1/config_pb.js";
import { restoreRedacted } from "../config/redact.js";
import { validateConfig } from "../config/validate.js";
import { NotFoundError, ValidationError } from "../errors.js";
import type { OrchestratorDeps } from "./deps.js";
import { resticRepoOf } from "./repo-target.js";

function isRepoNotFound(err: unknown): boolean {
  return (
    err instanceof Error &&
    err.name === "ResticError" &&
    (err as { kind?: string }).kind === "repo-not-found"
  );
}

/**
 * Returns the repository's guid, reading it from restic (and initializing the repository
 * when it is missing and `autoInitialize` is set) when the config does not have it yet.
 * A guid learned this way is saved to the config.
 */
export async function ensureRepoGuid(
  deps: OrchestratorDeps,
  repo: Repo,
  signal?: AbortSignal,
): Promise<string> {
  if (repo.guid) return repo.guid;
  const target = resticRepoOf(repo);
  let guid: string;
  try {
    guid = await deps.restic.repoId(target, { signal });
  } catch (err) {
    if (!repo.autoInitialize || !isRepoNotFound(err)) throw err;
    deps.log.info("initializing repository", { repo: repo.id });
    await deps.restic.init(target, { signal });
    guid = await deps.restic.repoId(target, { signal });
  }
  const cfg = clone(ConfigSchema, deps.config.get());
  const stored = cfg.repos.find((r) => r.id === repo.id);
  if (stored && !stored.guid) {
    stored.guid = guid;
    deps.config.update(cfg);
  }
  return guid;
}

/**
 * Adds a repository, or replaces the one with the same id. Initializes it with
 * `restic init` when it does not exist yet and records its guid. A password sent back as
 * the redaction marker keeps the stored one. Returns the saved config.
 */
export async function addRepo(
  deps: OrchestratorDeps,
  incoming: Repo,
  signal?: AbortSignal,
): Promise<Config> {
  const current = deps.config.get();
  const candidate = clone(ConfigSchema, current);
  const repo = clone(RepoSchema, incoming);
  const index = candidate.repos.findIndex((r) => r.id === repo.id);
  const previous = index >= 0 ? candidate.repos[index] : undefined;
  // A changed location is a different repository: its guid must be read again.
  if (!previous || previous.uri !== repo.uri) repo.guid = "";
  else repo.guid = previous.guid;
  if (index >= 0) candidate.repos[index] = repo;
  else candidate.repos.push(repo);

  const restored = restoreRedacted(candidate, current);
  const issues = validateConfig(restored);
  if (issues.length > 0) throw new ValidationError(issues, "the repository cannot be added");
  const target = restored.repos.find((r) => r.id === repo.id) as Repo;

  const guid = await ensureRepoGuid(deps, { ...target, autoInitialize: true }, signal);
  const latest = clone(ConfigSchema, deps.config.get());
  const final = restoreRedacted(candidate, latest);
  const saved = final.repos.find((r) => r.id === repo.id) as Repo;
  saved.guid = guid;
  return deps.config.update(final);
}

/**
 * Removes a repository from the config and deletes its operations from the log.
 * The repository's data is never touched. Refuses while plans still use it.
 */
export function removeRepo(deps: OrchestratorDeps, repoId: string): Config {
  const candidate = clone(ConfigSchema, deps.config.get());
  const index = candidate.repos.findIndex((r) => r.id === repoId);
  if (index < 0) throw new NotFoundError("repo", repoId);
  const users = candidate.plans.filter((p) => p.repo === repoId).map((p) => p.id);
  if (users.length > 0) {
    throw new ValidationError(
      [
        {
          path: `repos[${index}]`,
          message: `is used by plan(s) ${users.join(", ")}; remove them or move them to another repo first`,
        },
      ],
      `repo "${repoId}" cannot be removed`,
    );
  }
  candidate.repos.splice(index, 1);
  const saved = deps.config.update(candidate);
  const ids = deps.ops.query({ selector: { repoId } }).map((op) => op.id);
  if (ids.length > 0) deps.ops.delete(ids);
  return saved;
}
