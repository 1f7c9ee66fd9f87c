/**
 * `restic key list/add/remove`: the repository's keys, each opened by one password. A new
 * password travels to restic in a private temporary file (restic 0.14 reads it only from
 * `--new-password-file`), never on argv; the file is removed before the call returns.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { badOutputError } from "./classify.js";
import { buildCallEnv } from "./env.js";
import { type InvokeContext, invoke } from "./invoke.js";
import { isJsonObject, stringField } from "./json-lines.js";
import { refusedError } from "./refuse.js";
import type { CallOptions, ResticKey, ResticRepo } from "./types.js";

/** restic prints key ids as (short) lowercase hex. */
const KEY_ID = /^[0-9a-f]{1,64}$/;

/**
 * Parses the JSON array `key list --json` prints; undefined when it is not an array of keys.
 * Entries without an id are skipped.
 */
export function parseKeyList(text: string): ResticKey[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  return value
    .filter(isJsonObject)
    .filter((obj) => stringField(obj, "id") !== "")
    .map((obj) => ({
      id: stringField(obj, "id"),
      current: obj.current === true,
      userName: stringField(obj, "userName"),
      hostName: stringField(obj, "hostName"),
      created: stringField(obj, "created"),
    }));
}

/** Runs `restic key list --json`. */
export async function runKeyList(
  ctx: InvokeContext,
  repo: ResticRepo,
  opts?: CallOptions,
): Promise<ResticKey[]> {
  const { outcome, run } = await invoke(ctx, repo, {
    subcommand: "key list",
    args: ["key", "list", "--json"],
    signal: opts?.signal,
  });
  const keys = parseKeyList(outcome.stdout);
  if (!keys) throw badOutputError(run, "printed a key list that is not a JSON array");
  return keys;
}

/**
 * Runs `restic key add --new-password-file <tmp>`. Refuses (restic not started) an empty
 * password or one with surrounding whitespace, which restic would trim from the file.
 */
export async function runKeyAdd(
  ctx: InvokeContext,
  repo: ResticRepo,
  newPassword: string,
  opts?: CallOptions,
): Promise<void> {
  const args = ["key", "add", "--new-password-file"];
  if (newPassword === "" || newPassword.trim() !== newPassword) {
    const { secrets } = buildCallEnv(ctx.baseEnv, repo);
    throw refusedError(
      "the new key's password is empty or starts or ends with whitespace, which restic would trim; choose another password",
      args,
      [...secrets, newPassword],
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "restwell-key-"));
  try {
    const file = join(dir, "new-password");
    await writeFile(file, newPassword, { mode: 0o600 });
    await invoke(ctx, repo, { subcommand: "key add", args: [...args, file], signal: opts?.signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `restic key remove <id>`. restic refuses to remove the key the call itself opened the
 * repository with (ResticError); an id that is not hex is refused before restic starts.
 */
export async function runKeyRemove(
  ctx: InvokeContext,
  repo: ResticRepo,
  keyId: string,
  opts?: CallOptions,
): Promise<void> {
  const args = ["key", "remove", keyId];
  if (!KEY_ID.test(keyId)) {
    const { secrets } = buildCallEnv(ctx.baseEnv, repo);
    throw refusedError(`"${keyId}" is not a restic key id; use an id from key list`, args, secrets);
  }
  await invoke(ctx, repo, { subcommand: "key remove", args, signal: opts?.signal });
}
