/** The daemon's own webhook signing key, kept in a file of the data directory (mode 0600). */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

/** Reads the key at `path`, creating a random one the first time. */
export function loadOrCreateSecret(path: string): string {
  try {
    const existing = readFileSync(path, "utf8").trim();
    if (existing) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const secret = randomBytes(32).toString("hex");
  // "wx": two daemons starting at once must not overwrite each other's key.
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(path, "utf8").trim();
    throw err;
  }
}
