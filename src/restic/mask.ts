/**
 * Secret masking for everything that leaves the restic module as text: error messages,
 * stderr tails, argv copies and log lines.
 */

/** What a masked secret is replaced with. */
export const MASK = "***";

/** Env var names whose values are treated as secrets (case-insensitive). */
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL|AUTH/i;

/**
 * `scheme://user:password@` — the password part of credentials embedded in a URL.
 * The user name is kept because it helps to tell repos apart and is not a secret.
 * The bounded repeats keep matching linear: unbounded ones backtrack quadratically on a
 * long run of letters, and stderr lines can be long.
 */
const URL_USERINFO = /([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/@:]{0,256}):([^\s/@]{1,1024})@/gi;

/** True when an environment variable's name says its value is secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Returns `text` with every occurrence of each non-empty secret, and every password in a
 * `scheme://user:password@` URL, replaced by `***`. Longer secrets are replaced first so
 * that a secret containing another is not left half visible. Each secret is also masked in
 * its JSON-escaped and URL-encoded forms, the two ways restic may echo it back.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of expandSecrets(secrets)) {
    out = out.split(secret).join(MASK);
  }
  // Cheap check first: most text has no URL, and the regex costs a scan per character.
  if (!out.includes("://")) return out;
  return out.replace(
    URL_USERINFO,
    (_m, scheme: string, user: string) => `${scheme}${user}:${MASK}@`,
  );
}

function expandSecrets(secrets: readonly string[]): string[] {
  const all = new Set<string>();
  for (const secret of secrets) {
    if (secret === "") continue;
    all.add(secret);
    all.add(JSON.stringify(secret).slice(1, -1));
    all.add(encodeURIComponent(secret));
  }
  all.delete("");
  return [...all].sort((a, b) => b.length - a.length);
}

/**
 * Collects the secrets of one restic call: the repo password, the values of env vars
 * with secret-looking names, and passwords embedded in URL-like values (the repo URI
 * itself, e.g. `rest:http://user:pass@host/`), both raw and URL-decoded.
 */
export function collectSecrets(
  password: string | undefined,
  env: Readonly<Record<string, string>>,
  uris: readonly string[] = [],
): string[] {
  const secrets: string[] = [];
  if (password) secrets.push(password);
  for (const [name, value] of Object.entries(env)) {
    if (value && isSecretName(name)) secrets.push(value);
  }
  for (const uri of uris) secrets.push(...urlPasswords(uri));
  return secrets;
}

function urlPasswords(uri: string): string[] {
  const found: string[] = [];
  for (const match of uri.matchAll(URL_USERINFO)) {
    const raw = match[3];
    if (!raw) continue;
    found.push(raw);
    try {
      found.push(decodeURIComponent(raw));
    } catch {
      // A malformed escape cannot be echoed back decoded; the raw form is enough.
    }
  }
  return found;
}
