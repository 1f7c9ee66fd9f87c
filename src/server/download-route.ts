/**
 * GET /download/<token>/<name>: streams a snapshot file or folder (tar) for a signed link
 * made by GetDownloadURL. The link is the credential; it is checked by the orchestrator's
 * downloads, which refuse altered and expired links.
 */
import type { Logger } from "../log.js";
import type { Downloads } from "../orchestrator/downloads.js";
import type { NodeRequest, NodeResponse } from "./http-handler.js";

const PREFIX = "/download/";

/** How a download request ended, for the audit log. */
export interface DownloadServed {
  req: NodeRequest;
  /** The name of the file or archive served; "" when the link was refused. */
  filename: string;
  /**
   * "ok"; "not_found" or "invalid_argument" for a refused link; "canceled" when the client
   * went away midway; "internal" when the download failed.
   */
  outcome: string;
}

/**
 * Serves a download when the path is a download link; returns false for other paths.
 * `onServed` hears how each download (GET or HEAD of a link) ended.
 */
export function createDownloadRoute(
  downloads: Downloads,
  log: Logger,
  onServed: (served: DownloadServed) => void = () => {},
) {
  const report = (served: DownloadServed) => {
    try {
      onServed(served);
    } catch (err) {
      log.warn("download not reported", { error: String(err) });
    }
  };
  return (req: NodeRequest, res: NodeResponse): boolean => {
    const url = req.url ?? "";
    if (!url.startsWith(PREFIX)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("downloads are fetched with GET\n");
      return true;
    }
    const token = url.slice(PREFIX.length).split(/[/?]/)[0] ?? "";
    void serve(downloads, token, req, res, log, report);
    return true;
  };
}

const OUTCOMES = { 400: "invalid_argument", 404: "not_found", 500: "internal" } as const;

async function serve(
  downloads: Downloads,
  token: string,
  req: NodeRequest,
  res: NodeResponse,
  log: Logger,
  report: (served: DownloadServed) => void,
) {
  const abort = new AbortController();
  let filename = "";
  res.on("close", () => abort.abort());
  try {
    const dl = await downloads.open(token, abort.signal);
    filename = dl.filename;
    res.writeHead(200, {
      "content-type": dl.contentType,
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(dl.filename)}`,
      "cache-control": "no-store",
    });
    if (req.method === "HEAD") {
      abort.abort();
      res.end();
      report({ req, filename, outcome: "ok" });
      return;
    }
    dl.stream.pipe(res as unknown as NodeJS.WritableStream);
    await dl.done;
    report({ req, filename, outcome: "ok" });
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    if (res.headersSent) {
      // The archive is already partly sent: cut the connection so the client sees a failed download.
      if (!abort.signal.aborted) log.warn("download failed midway", { error: String(err) });
      res.destroy();
      report({ req, filename, outcome: abort.signal.aborted ? "canceled" : "internal" });
      return;
    }
    const status = name === "NotFoundError" ? 404 : name === "ValidationError" ? 400 : 500;
    if (status === 500)
      log.error("download failed", { error: err instanceof Error ? err.message : String(err) });
    report({ req, filename, outcome: OUTCOMES[status] });
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    res.end(
      status === 404
        ? "this download link is invalid or has expired; request a new one\n"
        : "the download failed; see the daemon's log\n",
    );
  }
}
