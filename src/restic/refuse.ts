/** A ResticError for a call refused before restic is started. */
import { ResticError } from "./errors.js";
import { maskSecrets } from "./mask.js";

/**
 * Builds the "failed" ResticError for a request the module will not run. `args` is the
 * argv that would have been used; it is masked here like a real run's.
 */
export function refusedError(
  message: string,
  args: readonly string[],
  secrets: readonly string[],
): ResticError {
  return new ResticError({
    kind: "failed",
    message,
    exitCode: undefined,
    args: args.map((arg) => maskSecrets(arg, secrets)),
    stderrTail: "",
  });
}
