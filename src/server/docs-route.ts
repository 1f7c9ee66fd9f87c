/**
 * GET /docs/api: an interactive API reference (Scalar) for /openapi.json, where a user can try
 * calls with basic or bearer credentials. Everything is served by the daemon itself, no CDN:
 * the page, a small start script and Scalar's standalone bundle from node_modules (cached for
 * a year under a content-hash URL, gzip-compressed). The page's Content-Security-Policy keeps
 * the browser from loading or sending anything to another origin. Served without credentials.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { embeddedFile } from "../sea/assets.js";
import type { NodeRequest, NodeResponse } from "./http-handler.js";
import { OPENAPI_PATH } from "./openapi.js";
import { allowReadOnly, type PreparedBody, prepareBody, sendPrepared } from "./prepared-body.js";

export const DOCS_PATH = "/docs/api";
const SCRIPT_PATH = `${DOCS_PATH}/scalar.js`;
const INIT_PATH = `${DOCS_PATH}/init.js`;

const JS = "text/javascript; charset=utf-8";
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Scalar injects its styles at run time, hence 'unsafe-inline' for styles only. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

/** Scalar's settings: no fonts, telemetry or AI agent from elsewhere; credentials not stored. */
const INIT_SCRIPT = `Scalar.createApiReference("#restwell-api-reference", ${JSON.stringify({
  url: OPENAPI_PATH,
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  showDeveloperTools: "never",
  persistAuth: false,
  documentDownloadType: "json",
  authentication: { preferredSecurityScheme: "basicAuth" },
})});\n`;

export interface DocsRouteOptions {
  /** Scalar's standalone bundle (default: resolved from node_modules on first use). */
  bundlePath?: () => string;
}

/** Finds @scalar/api-reference's browser bundle in node_modules. */
export function scalarBundlePath(): string {
  return (
    embeddedFile("scalar/standalone.js") ??
    createRequire(import.meta.url).resolve("@scalar/api-reference/browser/standalone.js")
  );
}

/** A query-string version from a body's ETag, so an immutable URL changes with the content. */
function versioned(path: string, body: PreparedBody): string {
  return `${path}?v=${body.etag.slice(1, 13)}`;
}

function page(script: string, init: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Restwell API reference</title>
</head>
<body>
<div id="restwell-api-reference"><p>Loading the API reference… It needs JavaScript; the OpenAPI document itself is at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</p></div>
<script src="${script}"></script>
<script src="${init}"></script>
</body>
</html>
`;
}

/** Serves the docs page and its scripts; returns false for other paths. */
export function createDocsRoute(opts: DocsRouteOptions = {}) {
  const init = prepareBody(INIT_SCRIPT, JS);
  let bundle: PreparedBody | undefined;
  let html: PreparedBody | undefined;
  const loadBundle = (): PreparedBody | Error => {
    try {
      bundle ??= prepareBody(readFileSync((opts.bundlePath ?? scalarBundlePath)()), JS);
      return bundle;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  };

  return (req: NodeRequest, res: NodeResponse): boolean => {
    const path = (req.url ?? "").split("?")[0];
    if (
      path !== DOCS_PATH &&
      path !== `${DOCS_PATH}/` &&
      path !== SCRIPT_PATH &&
      path !== INIT_PATH
    ) {
      return false;
    }
    if (!allowReadOnly(req, res)) return true;
    if (path === INIT_PATH) {
      sendPrepared(req, res, init, { "cache-control": IMMUTABLE });
      return true;
    }
    const script = loadBundle();
    if (script instanceof Error) {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
      res.end(
        `the API reference viewer is not installed (${script.message}); ${OPENAPI_PATH} is\n`,
      );
      return true;
    }
    if (path === SCRIPT_PATH) {
      sendPrepared(req, res, script, { "cache-control": IMMUTABLE });
      return true;
    }
    html ??= prepareBody(
      page(versioned(SCRIPT_PATH, script), versioned(INIT_PATH, init)),
      "text/html; charset=utf-8",
    );
    sendPrepared(req, res, html, {
      "cache-control": "no-cache",
      "content-security-policy": CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    return true;
  };
}
