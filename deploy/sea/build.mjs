#!/usr/bin/env node
/**
 * Builds dist/restwell, Restwell as one file that runs without Node.js installed (a Node
 * single executable application): src/main.ts bundled by esbuild into CommonJS, with the
 * built web UI (dist/web, whatever exists), Scalar's API reference bundle and better-sqlite3's
 * native addon as embedded assets (read through src/sea/assets.ts), injected with postject
 * into a copy of the node binary running this script. Run by `make binary`.
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { build } from "esbuild";

const ROOT = join(import.meta.dirname, "..", "..");
const WORK = join(ROOT, "dist", "sea");
const BINARY = join(ROOT, "dist", "restwell");
const BUNDLE = join(WORK, "restwell.cjs");
const BLOB = join(WORK, "restwell.blob");
const MANIFEST_KEY = "sea-manifest.json"; // as in src/sea/assets.ts
const FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const require = createRequire(import.meta.url);

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

/** Asset key -> file to embed. */
function collectAssets() {
  const assets = {};
  const sqlite = join(dirname(require.resolve("better-sqlite3/package.json")), "build", "Release");
  assets["native/better_sqlite3.node"] = join(sqlite, "better_sqlite3.node");
  try {
    assets["scalar/standalone.js"] = require.resolve("@scalar/api-reference/browser/standalone.js");
  } catch {
    console.warn("build: @scalar/api-reference is not installed; /docs/api will say so");
  }
  const web = join(ROOT, "dist", "web");
  const webFiles = filesUnder(web);
  if (webFiles.length === 0)
    console.warn("build: dist/web is empty (run `make web`); no web UI embedded");
  for (const file of webFiles) assets[`web/${file}`] = join(web, file);
  return assets;
}

async function bundle() {
  await build({
    entryPoints: [join(ROOT, "src", "main.ts")],
    outfile: BUNDLE,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // better-sqlite3 finds its addon through `bindings`; inside the executable the shim loads it.
    alias: { bindings: join(ROOT, "deploy", "sea", "bindings-shim.cjs") },
    // The sources are ES modules; in the CommonJS bundle import.meta means the executable.
    define: { "import.meta.url": "__restwellImportMetaUrl", "import.meta.dirname": "__dirname" },
    banner: {
      js: 'var __restwellImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
    legalComments: "none",
    logLevel: "warning",
  });
}

function injectBlob(assets) {
  const manifest = join(WORK, MANIFEST_KEY);
  writeFileSync(manifest, JSON.stringify(Object.keys(assets)));
  const config = join(WORK, "sea-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      main: BUNDLE,
      output: BLOB,
      disableExperimentalSEAWarning: true,
      assets: { ...assets, [MANIFEST_KEY]: manifest },
    }),
  );
  execFileSync(process.execPath, ["--experimental-sea-config", config], { stdio: "pipe" });
  rmSync(BINARY, { force: true });
  copyFileSync(process.execPath, BINARY);
  chmodSync(BINARY, 0o755);
  const postject = join(ROOT, "node_modules", "postject", "dist", "cli.js");
  try {
    // postject prints harmless ELF section warnings; show its output only when it fails.
    execFileSync(
      process.execPath,
      [postject, BINARY, "NODE_SEA_BLOB", BLOB, "--sentinel-fuse", FUSE],
      { stdio: "pipe" },
    );
  } catch (err) {
    rmSync(BINARY, { force: true });
    process.stderr.write(String(err.stderr ?? ""));
    throw new Error("postject could not inject the blob into the node binary");
  }
}

/** The executable must start with no Node.js around: run its help with an empty PATH. */
function smokeTest() {
  const out = execFileSync(BINARY, ["--help"], { env: { PATH: "" }, encoding: "utf8" });
  if (!out.includes("Usage: restwell")) throw new Error(`dist/restwell --help printed:\n${out}`);
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const assets = collectAssets();
await bundle();
injectBlob(assets);
smokeTest();
console.log(
  `build: wrote ${relative(ROOT, BINARY)} (${Object.keys(assets).length} embedded files)`,
);
