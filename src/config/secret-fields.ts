import type { Config, Hook } from "../../gen/v1/config_pb.js";

/** The marker that replaces a secret in a redacted config. */
export const REDACTED = "<redacted>";

/** Environment variable names whose values are treated as secrets (case-insensitive). */
const SECRET_ENV_NAME = /PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL|AUTH/i;

/** URL userinfo password, as in `rest:https://user:password@host/`. */
const URL_PASSWORD = /(:\/\/[^/:@\s]*):([^/@\s]+)@/;

/** One secret string inside a config, with how to read, write and redact it. */
export interface SecretField {
  /** Where the field is, for issues (e.g. `repos[1].password`). */
  path: string;
  /** Identity that survives reordering (repo id, plan id + hook index, user name, env NAME). */
  key: string;
  get(): string;
  set(value: string): void;
  /** The redacted form of a value of this field; equal to the value if nothing is secret. */
  redact(value: string): string;
}

const whole = (value: string): string => (value === "" ? value : REDACTED);
const urlPassword = (value: string): string => value.replace(URL_PASSWORD, `$1:${REDACTED}@`);

/** Returns NAME when `entry` is `NAME=value` with a secret-looking NAME, else undefined. */
export function secretEnvName(entry: string): string | undefined {
  const eq = entry.indexOf("=");
  if (eq <= 0) return undefined;
  const name = entry.slice(0, eq);
  return SECRET_ENV_NAME.test(name) ? name : undefined;
}

/** Field name inside each hook action that holds a secret, with its redaction. */
const HOOK_SECRETS: Partial<
  Record<NonNullable<Hook["action"]["case"]>, { field: string; redact: (v: string) => string }>
> = {
  actionGotify: { field: "token", redact: whole },
  actionTelegram: { field: "botToken", redact: whole },
  // Chat webhook URLs carry their token in the path; anyone holding them can post.
  actionDiscord: { field: "webhookUrl", redact: whole },
  actionSlack: { field: "webhookUrl", redact: whole },
  actionShoutrrr: { field: "shoutrrrUrl", redact: whole },
  actionHealthchecks: { field: "webhookUrl", redact: whole },
  actionWebhook: { field: "webhookUrl", redact: urlPassword },
  actionNtfy: { field: "token", redact: whole },
  actionEmail: { field: "password", redact: whole },
};

function hookSecrets(hooks: Hook[], path: string, owner: string): SecretField[] {
  const out: SecretField[] = [];
  hooks.forEach((hook, i) => {
    out.push({
      path: `${path}[${i}].signingSecret`,
      key: `${owner}/hooks[${i}]/signingSecret`,
      get: () => hook.signingSecret,
      set: (v) => {
        hook.signingSecret = v;
      },
      redact: whole,
    });
    const action = hook.action;
    const spec = action.case ? HOOK_SECRETS[action.case] : undefined;
    if (!spec || !action.value) return;
    const target = action.value as unknown as Record<string, string>;
    out.push({
      path: `${path}[${i}].${action.case}.${spec.field}`,
      key: `${owner}/hooks[${i}]/${action.case}.${spec.field}`,
      get: () => target[spec.field] ?? "",
      set: (v) => {
        target[spec.field] = v;
      },
      redact: spec.redact,
    });
  });
  return out;
}

function repoSecrets(cfg: Config): SecretField[] {
  const out: SecretField[] = [];
  cfg.repos.forEach((repo, r) => {
    const owner = `repo:${repo.id}`;
    const p = `repos[${r}]`;
    out.push({
      path: `${p}.password`,
      key: `${owner}/password`,
      get: () => repo.password,
      set: (v) => {
        repo.password = v;
      },
      redact: whole,
    });
    out.push({
      path: `${p}.uri`,
      key: `${owner}/uri`,
      get: () => repo.uri,
      set: (v) => {
        repo.uri = v;
      },
      redact: urlPassword,
    });
    repo.env.forEach((entry, e) => {
      const name = secretEnvName(entry);
      if (name === undefined) return;
      out.push({
        path: `${p}.env[${e}]`,
        key: `${owner}/env:${name}`,
        get: () => repo.env[e] ?? "",
        set: (v) => {
          repo.env[e] = v;
        },
        redact: (v) => (v === `${name}=` ? v : `${name}=${REDACTED}`),
      });
    });
    out.push(...hookSecrets(repo.hooks, `${p}.hooks`, owner));
  });
  return out;
}

/**
 * Lists every secret string in `cfg` (repo passwords and URI passwords, secret-looking repo
 * env values, hook tokens and chat webhook URLs, database source passwords, users' bcrypt
 * hashes). The returned accessors read and write `cfg` itself.
 */
export function secretFields(cfg: Config): SecretField[] {
  const out = repoSecrets(cfg);
  cfg.plans.forEach((plan, i) => {
    out.push(...hookSecrets(plan.hooks, `plans[${i}].hooks`, `plan:${plan.id}`));
    plan.databases.forEach((source, d) => {
      out.push({
        path: `plans[${i}].databases[${d}].password`,
        key: `plan:${plan.id}/databases:${source.name}/password`,
        get: () => source.password,
        set: (v) => {
          source.password = v;
        },
        redact: whole,
      });
    });
  });
  out.push(...hookSecrets(cfg.settings?.hooks ?? [], "settings.hooks", "settings"));
  cfg.auth?.users.forEach((user, i) => {
    const pw = user.password;
    if (pw.case !== "passwordBcrypt") return;
    out.push({
      path: `auth.users[${i}].passwordBcrypt`,
      key: `user:${user.name}/passwordBcrypt`,
      get: () => pw.value,
      set: (v) => {
        pw.value = v;
      },
      redact: whole,
    });
  });
  return out;
}
