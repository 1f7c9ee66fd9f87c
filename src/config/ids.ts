/** Pattern every instance name, repo id and plan id must match (Backrest's rule). */
export const ID_PATTERN = /^[A-Za-z0-9_.-]+$/;

/**
 * Turns any string (typically the hostname) into a valid instance name: characters outside
 * `[A-Za-z0-9_.-]` become `-`, and an empty result falls back to `"restwell"`.
 */
export function sanitizeInstanceName(raw: string): string {
  const cleaned = raw
    .trim()
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return cleaned === "" ? "restwell" : cleaned;
}
