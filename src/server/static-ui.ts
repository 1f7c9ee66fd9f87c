/**
 * GET / and the web UI's files: the Vite build in dist/web, with an SPA fallback to
 * index.html for the UI's own routes. Hashed files under /assets/ are cached for a year;
 * index.html is revalidated on every load. Responses are brotli- or gzip-compressed from the
 * `.br`/`.gz` files written at build time, or compressed here (and kept in memory) when those
 * are missing. Paths that look like the API's never fall back to the UI, so they still get 404.
 */
import { createReadStream, existsSync, readFileSync, type Stats, statSync } from "node:fs";
import { dirname, extname, join, normalize, sep } from "node:path";
import { brotliCompressSync, gzipSync, constants as zlib } from "node:zlib";
import { embeddedDir } from "../sea/assets.js";
import type { NodeRequest, NodeResponse } from "./http-handler.js";

/** Content types of the files a Vite build writes. */
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".map", ".svg", ".txt"]);
/** Smaller bodies are not worth compressing. */
const MIN_COMPRESS_BYTES = 1024;
/** Bodies compressed on the fly are kept up to this many bytes in total. */
const MAX_CACHE_BYTES = 32 * 1024 * 1024;

const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * Paths that belong to the API or other daemon routes: they are never answered with the UI.
 * `/<package>.<Service>/<Method>` is every RPC (v1.Backrest/..., grpc.health.v1.Health/...).
 */
const API_PATH =
  /^\/(?:[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+\/|healthz$|readyz$|metrics$|openapi\.json$|docs(?:\/|$)|download(?:\/|$))/;

/** The CSP of index.html: the UI loads only its own files and talks only to this origin. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

export interface StaticUiOptions {
  /** The folder holding the built UI (index.html and assets/). */
  root: string;
}

type Encoding = "br" | "gzip";

/**
 * Finds dist/web of the package this file belongs to (run from src/ or from dist/src/), or
 * the UI embedded in the single executable (src/sea/assets.ts).
 */
export function defaultWebRoot(from = import.meta.dirname): string {
  const embedded = embeddedDir("web");
  if (embedded) return embedded;
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return join(from, "web");
    dir = parent;
  }
  return join(dir, "dist", "web");
}

/** True for paths that the API or another daemon route owns (never the UI's). */
export function isApiPath(path: string): boolean {
  return API_PATH.test(path);
}

/** Creates the route serving the UI; returns false for paths it does not serve (then 404). */
export function createStaticUi(opts: StaticUiOptions = { root: defaultWebRoot() }) {
  const cache = new Map<string, { key: string; body: Buffer }>();
  let cachedBytes = 0;

  const compressed = (file: string, stats: Stats, encoding: Encoding): Buffer => {
    const id = `${file}\0${encoding}`;
    const key = `${stats.size}:${stats.mtimeMs}`;
    const hit = cache.get(id);
    if (hit?.key === key) return hit.body;
    const raw = readFileSync(file);
    const body =
      encoding === "br"
        ? brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } })
        : gzipSync(raw, { level: 6 });
    if (cachedBytes + body.length > MAX_CACHE_BYTES) {
      cache.clear();
      cachedBytes = 0;
    }
    cache.set(id, { key, body });
    cachedBytes += body.length;
    return body;
  };

  return (req: NodeRequest, res: NodeResponse): boolean => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = decodePath(req.url ?? "/");
    if (path === undefined || isApiPath(path)) return false;
    const file = path === "/" ? undefined : resolveInside(opts.root, path);
    const stats = file ? statFile(file) : undefined;
    if (file && stats) {
      const immutable = path.startsWith("/assets/");
      serveFile(req, res, { file, stats, cacheControl: immutable ? IMMUTABLE : "no-cache" });
      return true;
    }
    // A missing asset is a 404, never the app: a stale page asking for an old chunk must fail.
    if (path !== "/" && (path.startsWith("/assets/") || extname(path) !== "")) return false;
    if (path !== "/" && !acceptsHtml(req)) return false;
    const index = join(opts.root, "index.html");
    const indexStats = statFile(index);
    if (!indexStats) {
      notBuilt(res, opts.root);
      return true;
    }
    serveFile(req, res, { file: index, stats: indexStats, cacheControl: "no-cache" });
    return true;
  };

  function serveFile(
    req: NodeRequest,
    res: NodeResponse,
    f: { file: string; stats: Stats; cacheControl: string },
  ) {
    const ext = extname(f.file);
    const etag = `"${f.stats.size.toString(16)}-${Math.floor(f.stats.mtimeMs).toString(16)}"`;
    const headers: Record<string, string | number> = {
      "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream",
      "cache-control": f.cacheControl,
      etag,
      "x-content-type-options": "nosniff",
    };
    if (ext === ".html") {
      headers["content-security-policy"] = CSP;
      headers["referrer-policy"] = "no-referrer";
    }
    const compressible = COMPRESSIBLE.has(ext) && f.stats.size >= MIN_COMPRESS_BYTES;
    if (compressible) headers.vary = "Accept-Encoding";
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const encoding = compressible ? pickEncoding(req.headers["accept-encoding"]) : undefined;
    if (encoding) {
      headers["content-encoding"] = encoding;
      const prebuilt = `${f.file}.${encoding === "br" ? "br" : "gz"}`;
      const pre = statFile(prebuilt);
      if (pre && pre.mtimeMs >= f.stats.mtimeMs) {
        headers["content-length"] = pre.size;
        return send(req, res, headers, prebuilt);
      }
      const body = compressed(f.file, f.stats, encoding);
      headers["content-length"] = body.length;
      res.writeHead(200, headers);
      if (req.method === "HEAD") res.end();
      else res.end(body);
      return;
    }
    headers["content-length"] = f.stats.size;
    send(req, res, headers, f.file);
  }
}

function send(
  req: NodeRequest,
  res: NodeResponse,
  headers: Record<string, string | number>,
  file: string,
) {
  res.writeHead(200, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on("error", () => res.destroy());
  stream.pipe(res as unknown as NodeJS.WritableStream);
}

/** The path part of a request URL, percent-decoded; undefined when malformed or climbing (".."). */
function decodePath(url: string): string | undefined {
  const raw = url.split(/[?#]/)[0] ?? "/";
  try {
    const path = decodeURIComponent(raw);
    const bad = path.includes("\0") || !path.startsWith("/") || path.split("/").includes("..");
    return bad ? undefined : path;
  } catch {
    return undefined;
  }
}

/** The file for `path` under `root`, or undefined when the path would leave `root`. */
function resolveInside(root: string, path: string): string | undefined {
  const file = normalize(join(root, path));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

function statFile(file: string): Stats | undefined {
  try {
    const stats = statSync(file);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function acceptsHtml(req: NodeRequest): boolean {
  const accept = String(req.headers.accept ?? "");
  return accept.includes("text/html");
}

/** br when the client takes it, else gzip, else none (q=0 refuses an encoding). */
function pickEncoding(header: string | string[] | undefined): Encoding | undefined {
  const accepted = new Map<string, number>();
  for (const part of String(header ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get("*") ?? 0) > 0;
  if (ok("br")) return "br";
  if (ok("gzip")) return "gzip";
  return undefined;
}

function notBuilt(res: NodeResponse, root: string) {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(
    `The web UI is not built (no ${join(root, "index.html")}).\n` +
      "Build it with `make web` (or start the daemon with `make run`, which builds it); the API works without it.\n",
  );
}
