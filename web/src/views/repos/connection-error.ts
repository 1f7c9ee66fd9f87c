/**
 * What went wrong when the daemon could not open a repository, in one headline: unreachable,
 * wrong password, not a repository, or locked. The daemon's own message is shown under it.
 */
import { Code } from "@connectrpc/connect";
import { errorCode, errorMessage } from "../../api/errors";

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
