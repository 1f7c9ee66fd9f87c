/** Loading a config file the way the daemon does, collecting every problem instead of throwing. */
import { readFileSync } from "node:fs";
import type { Config } from "../../gen/v1/config_pb.js";
import { migrateConfig, parseConfigJson, validateConfig } from "../config/index.js";
import { ValidationError, type ValidationIssue } from "../errors.js";

/** What a config file holds: the migrated config when it parses, and every problem found. */
export interface ConfigCheck {
  config?: Config;
  issues: ValidationIssue[];
  /** The file does not exist. */
  missing?: boolean;
}

/** Reads, parses, migrates and validates `path` (the daemon refuses to start on any issue). */
export function checkConfigFile(path: string): ConfigCheck {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { issues: [], missing: true };
    return { issues: [{ path: "", message: `cannot read the file (${code ?? String(err)})` }] };
  }
  return checkConfigText(text);
}

/** Parses, migrates and validates config.json text. */
export function checkConfigText(text: string): ConfigCheck {
  try {
    const config = migrateConfig(parseConfigJson(text));
    return { config, issues: validateConfig(config) };
  } catch (err) {
    if (err instanceof ValidationError) return { issues: err.issues };
    throw err;
  }
}

/** "plans[1].repo: repo "x" does not exist" */
export function issueText(issue: ValidationIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}
