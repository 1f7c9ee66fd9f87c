/**
 * Trying a repository's location and password before it is saved: the "Test connection" of
 * the repo form. Nothing is written to the config and nothing is initialized; restic only
 * reads the repository's config and lists its snapshots, both without a lock, so a test
 * neither waits behind the repo's running operations nor disturbs them.
 */
import { clone, create } from "@bufbuild/protobuf";
import { type Config, ConfigSchema, type Repo, RepoSchema } from "../../gen/v1/config_pb.js";
import {
  TestRepoResponse_Result as Result,
  type TestRepoResponse,
  TestRepoResponseSchema,
} from "../../gen/v1/service_pb.js";
import { restoreRedacted } from "../config/redact.js";
import { validateConfig } from "../config/validate.js";
import { ValidationError } from "../errors.js";
import type { ResticErrorKind } from "../restic/errors.js";
import type { OrchestratorDeps } from "./deps.js";
import { resticRepoOf } from "./repo-target.js";
import {
  formatLimit,
  operationTimeLimitMs,
  startTimeLimit,
  TimeLimitReason,
} from "./time-limit.js";

/**
 * The longest a test may take (less when settings.operationTimeoutSeconds is lower): a
 * backend that accepts connections but never answers must not keep the form waiting.
 */
export const TEST_REPO_TIME_LIMIT_MS = 60_000;

/** The fields of a repo that decide whether restic can open it. */
const CONNECTION_FIELDS = ["uri", "password", "env", "flags"];

/**
 * Tries `incoming` (a repo as the form holds it) with restic: reads the repository's id and
 * counts its snapshots. Secrets sent back as the redaction marker take the stored values of
 * the repo with the same id, exactly as AddRepo would; repo env and flags apply as for every
 * operation. Resolves with the outcome for every failure restic reports (wrong password, no
 * repository, backend unreachable, time limit passed); rejects with ValidationError when the
 * connection fields are invalid or a marker has no stored secret, and with the cancellation
 * when `signal` (the caller going away) fires.
 */
export async function testRepo(
  deps: Pick<OrchestratorDeps, "config" | "restic">,
  incoming: Repo,
  opts: { signal?: AbortSignal | undefined; limitMs?: number } = {},
): Promise<TestRepoResponse> {
  const cfg = deps.config.get();
  const target = resticRepoOf(withStoredSecrets(cfg, incoming));
  const limitMs = Math.min(
    opts.limitMs ?? TEST_REPO_TIME_LIMIT_MS,
    operationTimeLimitMs(cfg) ?? Number.POSITIVE_INFINITY,
  );
  const limit = new AbortController();
  const clear = startTimeLimit(limit, limitMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, limit.signal]) : limit.signal;
  try {
    const repoGuid = await deps.restic.repoId(target, { signal });
    const snapshots = await deps.restic.snapshots(target, undefined, { signal });
    return create(TestRepoResponseSchema, {
      result: Result.OK,
      message: `the repository opened with this password and holds ${countOf(snapshots.length)}; save the repo to use these settings`,
      repoGuid,
      snapshotCount: BigInt(snapshots.length),
    });
  } catch (err) {
    if (limit.signal.aborted && limit.signal.reason instanceof TimeLimitReason)
      return outcome(Result.UNREACHABLE, timedOut(limit.signal.reason));
    if (isResticError(err)) return outcome(resultOf(err.kind), messageOf(err.kind, err.message));
    throw err;
  } finally {
    clear();
  }
}

/**
 * The repo to test: `incoming` with every redaction marker replaced by the stored secret of
 * the repo with its id (as AddRepo restores them). Throws ValidationError for problems of
 * its connection fields and for markers without a stored secret; the id, schedules and
 * hooks do not matter to a test.
 */
function withStoredSecrets(current: Config, incoming: Repo): Repo {
  const candidate = clone(ConfigSchema, current);
  const found = candidate.repos.findIndex((r) => r.id === incoming.id);
  const index = found >= 0 ? found : candidate.repos.length;
  candidate.repos[index] = clone(RepoSchema, incoming);
  const restored = restoreRedacted(candidate, current);
  const fields = CONNECTION_FIELDS.map((f) => `repos[${index}].${f}`);
  const issues = validateConfig(restored).filter((i) =>
    fields.some((f) => i.path === f || i.path.startsWith(`${f}[`) || i.path.startsWith(`${f}.`)),
  );
  if (issues.length > 0) throw new ValidationError(issues, "the repository cannot be tested");
  return restored.repos[index] as Repo;
}

function isResticError(err: unknown): err is Error & { kind: ResticErrorKind } {
  return err instanceof Error && err.name === "ResticError";
}

function resultOf(kind: ResticErrorKind): Result {
  switch (kind) {
    case "wrong-password":
      return Result.WRONG_PASSWORD;
    case "repo-not-found":
      return Result.NOT_A_REPOSITORY;
    case "backend-unreachable":
    case "backend-unauthorized":
      return Result.UNREACHABLE;
    default:
      return Result.FAILED;
  }
}

/** restic's (masked) message, or for "no repository" what adding the repo would do. */
function messageOf(kind: ResticErrorKind, resticMessage: string): string {
  if (kind === "repo-not-found")
    return "the location answers but holds no restic repository; adding the repo initializes a new one there, so check the URI first if you expected an existing repository";
  return resticMessage;
}

function timedOut(reason: TimeLimitReason): string {
  return `the repository's backend did not answer within ${formatLimit(reason.limitMs)}; check that the server in the URI is up and reachable from the daemon, then test again`;
}

function outcome(result: Result, message: string): TestRepoResponse {
  return create(TestRepoResponseSchema, { result, message });
}

function countOf(n: number): string {
  return n === 1 ? "1 snapshot" : `${n} snapshots`;
}
