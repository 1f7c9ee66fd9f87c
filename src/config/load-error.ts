import { ValidationError, type ValidationIssue } from "../errors.js";

/**
 * The config file at `file` cannot be used: it is not valid JSON, does not match the schema,
 * cannot be migrated, or fails validation. `issues` lists every problem found; the file on
 * disk has not been changed.
 */
export class ConfigLoadError extends ValidationError {
  override name = "ConfigLoadError";
  constructor(
    readonly file: string,
    issues: ValidationIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      issues,
      `cannot load config file ${file}; fix it (or restore a copy from config-history)`,
    );
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
