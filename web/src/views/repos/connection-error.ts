/**
 * What went wrong when the daemon could not open a repository, in one headline: unreachable,
 * wrong password, not a repository, or locked. The daemon's own message is shown under it.
 */
import { Code } from "@connectrpc/connect";
import { type TestRepoResponse, TestRepoResponse_Result } from "../../../../gen/v1/service_pb";
import { errorCode, errorMessage } from "../../api/errors";

/** A connection test's outcome as the form shows it. */
export interface TestOutcome {
  /** "ok": it opened; "info": nothing is wrong but something will happen; "error": it failed. */
  tone: "ok" | "info" | "error";
  headline: string;
  detail: string;
}

const TEST_HEADLINES: Record<TestRepoResponse_Result, [TestOutcome["tone"], string]> = {
  [TestRepoResponse_Result.OK]: ["ok", "Connected"],
  [TestRepoResponse_Result.NOT_A_REPOSITORY]: ["info", "No repository there yet"],
  [TestRepoResponse_Result.UNREACHABLE]: ["error", "Unreachable"],
  [TestRepoResponse_Result.WRONG_PASSWORD]: ["error", "Wrong password"],
  [TestRepoResponse_Result.FAILED]: ["error", "The repository could not be opened"],
  [TestRepoResponse_Result.UNSPECIFIED]: ["error", "The test gave no result"],
};

/** The headline of a TestRepo answer, with the daemon's message (what to do next) under it. */
export function describeTestResult(res: TestRepoResponse): TestOutcome {
  const [tone, headline] =
    TEST_HEADLINES[res.result] ?? TEST_HEADLINES[TestRepoResponse_Result.UNSPECIFIED];
  if (res.result !== TestRepoResponse_Result.OK) return { tone, headline, detail: res.message };
  const count = Number(res.snapshotCount);
  const snapshots = count === 1 ? "1 snapshot" : `${count} snapshots`;
  return {
    tone,
    headline,
    detail: `The repository opened with this password and holds ${snapshots} (repository id ${res.repoGuid.slice(0, 8)}). Save the repo to use these settings.`,
  };
}

/** The headline and the daemon's message of a failed AddRepo. */
export function describeRepoError(err: unknown): { headline: string; detail: string } {
  const detail = errorMessage(err);
  const code = errorCode(err);
  if (code === Code.InvalidArgument) return { headline: "The repo settings are invalid", detail };
  if (/wrong password|no key found/i.test(detail)) return { headline: "Wrong password", detail };
  if (
    /no restic repository|repository does not exist|is there a repository|not a repository/i.test(
      detail,
    )
  )
    return { headline: "Not a repository", detail };
  if (/locked/i.test(detail)) return { headline: "The repository is locked", detail };
  if (
    /unreachable|could not reach|connection refused|no such host|timed? ?out|dial tcp|network|could not resolve|no route to host|permission denied/i.test(
      detail,
    )
  )
    return { headline: "Unreachable", detail };
  return { headline: "The repository could not be opened", detail };
}
