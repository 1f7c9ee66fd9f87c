/** Keeping secrets (tokens, passwords, webhook URL keys) out of output and errors. */

/** `uri` with the password of any user:pass@ part replaced by "***". */
export function maskUri(uri: string): string {
  return uri.replace(/(\/\/[^/@:\s]*):[^@/\s]*@/g, "$1:***@");
}

// Path segments this long (or holding ':' as a Telegram bot token does) are treated as keys:
// Discord/Slack webhook tokens, healthchecks UUIDs and ping keys, random ntfy topics.
const SECRET_SEGMENT = /^(?=.*:)|^.{12,}$/;

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** A URL safe to show: no user info, no query values, key-like path segments as "***". */
export function redactUrl(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return "(invalid URL)";
  const path = parsed.pathname
    .split("/")
    .map((seg) => (SECRET_SEGMENT.test(decodeURIComponent(seg)) ? "***" : seg))
    .join("/");
  return `${parsed.protocol}//${parsed.host}${path}${parsed.search ? "?***" : ""}`;
}

/** The parts of `url` that may be secret: password, query values and key-like path segments. */
export function urlSecrets(url: string): string[] {
  const parsed = parseUrl(url);
  if (!parsed) return url ? [url] : [];
  const out: string[] = [];
  if (parsed.password) out.push(parsed.password, decodeURIComponent(parsed.password));
  for (const value of parsed.searchParams.values()) out.push(value);
  for (const seg of parsed.pathname.split("/")) {
    const decoded = decodeURIComponent(seg);
    if (SECRET_SEGMENT.test(decoded)) out.push(seg, decoded);
  }
  return out;
}

/** A function replacing every occurrence of the non-empty `secrets` with "***". */
export function createMasker(secrets: readonly string[]): (text: string) => string {
  // Longest first, so a secret containing another is masked whole.
  const list = [...new Set(secrets.filter((s) => s.length >= 3))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let out = text;
    for (const s of list) out = out.split(s).join("***");
    return out;
  };
}
