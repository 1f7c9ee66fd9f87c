/**
 * Files embedded in the single executable (dist/restwell, see deploy/sea/build.mjs): the web
 * UI, the API reference viewer and better-sqlite3's native addon. Code that serves or loads
 * files asks here first; outside the single executable every function returns undefined and
 * callers use their usual paths. Embedded files are written once, on first use, to a private
 * temporary folder (mode 0700) that is removed when the process exits, so file-based code
 * (static files with ETags, process.dlopen) works on them unchanged.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, normalize, sep } from "node:path";

/** The asset listing every embedded key (node:sea cannot list them on Node 20). */
export const MANIFEST_KEY = "sea-manifest.json";

interface SeaModule {
  isSea(): boolean;
  getAsset(key: string): ArrayBuffer;
}

let sea: SeaModule | null | undefined;
let keys: string[] | undefined;
let extractDir: string | undefined;
const extracted = new Map<string, string>();

/** node:sea when running as a single executable, else null (also on Node without node:sea). */
function seaModule(): SeaModule | null {
  if (sea !== undefined) return sea;
  try {
    const mod = createRequire(import.meta.url)("node:sea") as SeaModule;
    sea = mod.isSea() ? mod : null;
  } catch {
    sea = null;
  }
  return sea;
}

/** True when running as the single executable. */
export function isSingleExecutable(): boolean {
  return seaModule() !== null;
}

/** Every embedded key, from the manifest. */
export function embeddedKeys(): string[] {
  const mod = seaModule();
  if (!mod) return [];
  keys ??= JSON.parse(Buffer.from(mod.getAsset(MANIFEST_KEY)).toString("utf8")) as string[];
  return keys;
}

/** The bytes of an embedded file, or undefined. */
export function embeddedBytes(key: string): Buffer | undefined {
  const mod = seaModule();
  if (!mod || !embeddedKeys().includes(key)) return undefined;
  return Buffer.from(mod.getAsset(key));
}

/** A path to the embedded file `key` (written out on first use), or undefined. */
export function embeddedFile(key: string): string | undefined {
  const done = extracted.get(key);
  if (done) return done;
  const bytes = embeddedBytes(key);
  if (!bytes) return undefined;
  const file = extractedPath(key);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, bytes, { mode: 0o600 });
  extracted.set(key, file);
  return file;
}

/** A folder holding every embedded file under `prefix/` (written out on first use), or undefined. */
export function embeddedDir(prefix: string): string | undefined {
  const under = embeddedKeys().filter((k) => k.startsWith(`${prefix}/`));
  if (under.length === 0) return undefined;
  for (const key of under) embeddedFile(key);
  return extractedPath(prefix);
}

function extractedPath(key: string): string {
  if (!extractDir) {
    const dir = mkdtempSync(join(tmpdir(), "restwell-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    extractDir = dir;
  }
  const file = normalize(join(extractDir, key));
  if (!file.startsWith(extractDir + sep)) throw new Error(`bad embedded file name "${key}"`);
  return file;
}
