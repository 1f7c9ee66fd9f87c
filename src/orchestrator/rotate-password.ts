/**
 * Rotating a repository's password: a new restic key with a new random password replaces the
 * key the config's password opens. The order makes every crash safe: until the config holds
 * the new password the old key stays, and the old key goes only once the new password is
 * saved. A crash leaves at worst an unused key behind (its password was never stored) or the
 * old key still in place (the old password keeps working until a later rotation).
 */
import { randomBytes } from "node:crypto";
import { clone } from "@bufbuild/protobuf";
import { type Config, ConfigSchema, type Repo } from "../../gen/v1/config_pb.js";
import {
  ConflictError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  type ValidationIssue,
} from "../errors.js";
import type { ResticKey, ResticKeys, ResticRepo } from "../restic/types.js";
import type { FaultHook } from "./faults.js";
import type { OperationSpec, TaskContext } from "./runner.js";

/** Bytes of randomness in a new password (encoded as base64url: 43 characters). */
const PASSWORD_BYTES = 32;

/** Environment variables that would make restic read the password from somewhere else. */
const PASSWORD_SOURCE_ENV = ["RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND"];
/** Repo flags that would make restic read the password from somewhere else. */
const PASSWORD_SOURCE_FLAG = /^(-p|--password-file|--password-command)(=|$)/;

/** The operation payload a rotation is recorded as: the restic command with the same effect. */
export const ROTATION_ARGS = ["key", "passwd"];

/**
 * Why the repo's password cannot be rotated here ([] when it can): the password must be the
 * one in the config, not one restic reads from a file or command the daemon cannot rewrite.
 */
export function rotationIssues(repo: Repo, index: number): ValidationIssue[] {
  const path = `repos[${index}]`;
  const issues: ValidationIssue[] = [];
  if (!repo.password)
    issues.push({
      path: `${path}.password`,
      message: "is empty; only a password kept in the config can be rotated",
    });
  for (const entry of repo.env) {
    const name = entry.split("=", 1)[0] ?? "";
    if (PASSWORD_SOURCE_ENV.includes(name))
      issues.push({
        path: `${path}.env`,
        message: `sets ${name}; change that password where it is kept`,
      });
  }
  for (const flag of repo.flags) {
    if (PASSWORD_SOURCE_FLAG.test(flag))
      issues.push({
        path: `${path}.flags`,
        message: `has ${flag.split("=")[0]}; change that password where it is kept`,
      });
  }
  return issues;
}

/** What a rotation needs beyond the orchestrator's deps. */
export interface RotationOptions {
  /** restic key management; rotation is unavailable without it. */
  keys?: ResticKeys;
  /** Test-only pause points (see faults.ts). */
  faults?: FaultHook;
}

/**
 * The operation that rotates `repoId`'s password, recorded as a RunCommand of `key passwd`.
 * Throws NotFoundError for an unknown repo, ValidationError when its password is not kept in
 * the config (see rotationIssues), UnavailableError without key management.
 */
export function rotationSpec(cfg: Config, repoId: string, options: RotationOptions): OperationSpec {
  const index = cfg.repos.findIndex((r) => r.id === repoId);
  const repo = cfg.repos[index];
  if (!repo) throw new NotFoundError("repo", repoId);
  const issues = rotationIssues(repo, index);
  if (issues.length > 0)
    throw new ValidationError(issues, `the password of repo "${repoId}" cannot be rotated`);
  if (!options.keys)
    throw new UnavailableError("this daemon was started without restic key management");
  return {
    repoId,
    payload: { case: "operationRunCommand", value: { args: [...ROTATION_ARGS] } },
    run: rotatePasswordTask(options.keys, options.faults),
  };
}

/** A new random password for a restic key. */
export function newRepoPassword(): string {
  return randomBytes(PASSWORD_BYTES).toString("base64url");
}

/**
 * The task body of a rotation: key add, verify, save the config, key remove, with a fault
 * point after each of the first three steps. The new password never reaches a log or an error.
 */
export function rotatePasswordTask(keys: ResticKeys, faults?: FaultHook) {
  return async (ctx: TaskContext): Promise<void> => {
    const log = ctx.log();
    const say = (line: string) => log.write(`${line}\n`);
    const signal = ctx.signal;
    const issues = rotationIssues(
      ctx.repo,
      ctx.cfg.repos.findIndex((r) => r.id === ctx.repo.id),
    );
    if (issues.length > 0) throw new ValidationError(issues, "the password cannot be rotated");
    const before = await keys.keyList(ctx.target, { signal });
    const oldKey = before.find((k) => k.current);
    if (!oldKey)
      throw new ConflictError(
        "restic key list marked no key as the one in use; nothing was changed, check the repository's keys",
      );
    const password = newRepoPassword();
    const next: ResticRepo = { ...ctx.target, password };
    let newKey: ResticKey;
    try {
      await keys.keyAdd(ctx.target, password, { signal });
      say(
        `added a new key (the repository had ${before.length}; the config's password opens ${oldKey.id})`,
      );
      await faults?.("rotate:key-added");
      newKey = await verifyNewKey(keys, next, oldKey, signal);
      say(`the new password opens the repository with key ${newKey.id}`);
      await faults?.("rotate:verified");
      const modno = saveNewPassword(ctx, password);
      say(`saved the new password in the config (modno ${modno})`);
    } catch (err) {
      await discardNewKey(keys, ctx.target, before, say);
      throw err;
    }
    await faults?.("rotate:config-saved");
    // No signal: once the config holds the new password, finishing is the safe way out.
    await keys.keyRemove(next, oldKey.id);
    say(`removed the old key ${oldKey.id}`);
    ctx.op.displayMessage = `password rotated: key ${oldKey.id} replaced by key ${newKey.id}`;
  };
}

/** Opens the repository with the new password; the key it opens must be a new one. */
async function verifyNewKey(
  keys: ResticKeys,
  next: ResticRepo,
  oldKey: ResticKey,
  signal: AbortSignal,
): Promise<ResticKey> {
  const current = (await keys.keyList(next, { signal })).find((k) => k.current);
  if (!current || current.id === oldKey.id) {
    throw new ConflictError(
      "the new password did not open the new key (is RESTIC_PASSWORD_FILE or RESTIC_PASSWORD_COMMAND set for the daemon?); the config was not changed",
    );
  }
  return current;
}

/** Puts the new password into the stored config; returns the new modno. */
function saveNewPassword(ctx: TaskContext, password: string): number {
  const cfg = clone(ConfigSchema, ctx.deps.config.get());
  const repo = cfg.repos.find((r) => r.id === ctx.repo.id);
  if (!repo) throw new NotFoundError("repo", ctx.repo.id);
  if (repo.password !== ctx.target.password || repo.uri !== ctx.repo.uri) {
    throw new ConflictError(
      `repo "${repo.id}" was changed while its password was being rotated; the config keeps the change, rotate again`,
    );
  }
  repo.password = password;
  return ctx.deps.config.update(cfg).modno;
}

/**
 * Removes the key a failed rotation added, with the old password, when exactly one key
 * appeared; anything else is left alone. Never throws: the rotation's own error is what counts.
 */
async function discardNewKey(
  keys: ResticKeys,
  repo: ResticRepo,
  before: ResticKey[],
  say: (line: string) => void,
): Promise<void> {
  try {
    const known = new Set(before.map((k) => k.id));
    const added = (await keys.keyList(repo)).filter((k) => !known.has(k.id));
    if (added.length !== 1 || !added[0]) return;
    await keys.keyRemove(repo, added[0].id);
    say(`removed the unused new key ${added[0].id} again`);
  } catch (err) {
    say(`could not remove the unused new key: ${err instanceof Error ? err.message : String(err)}`);
  }
}
