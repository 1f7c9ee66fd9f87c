/**
 * GET /download/<token>/<name>: streams a snapshot file or folder (tar) for a signed link
 * made by GetDownloadURL. The link is the credential; it is checked by the orchestrator's
 * downloads, which refuse altered and expired links.
 */
import type { Logger } from "../log.js";
import type { Downloads } from "../orchestrator/downloads.js";
import type { NodeRequest, NodeResponse } from "./http-handler.js";

const PREFIX = "/download/";

/** Serves a download when the path is a download link; returns false for other paths. */
export function createDownloadRoute(downloads: Downloads, log: Logger) {
  return (req: NodeRequest, res: NodeResponse): boolean => {
    const url = req.url ?? "";
    if (!url.startsWith(PREFIX)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("downloads are fetched with GET\n");
      return true;
    }
    const token = url.slice(PREFIX.length).split(/[/?]/)[0] ?? "";
    void serve(downloads, token, req, res, log);
    return true;
  };
}

async function serve(
  downloads: Downloads,
  token: string,
  req: NodeRequest,
  res: NodeResponse,
  log: Logger,
) {
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  try {
    const dl = await downloads.open(token, abort.signal);
    res.writeHead(200, {
      "content-type": dl.contentType,
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(dl.filename)}`,
      "cache-control": "no-store",
    });
    if (req.method === "HEAD") {
      abort.abort();
      res.end();
      return;
    }
    dl.stream.pipe(res as unknown as NodeJS.WritableStream);
    await dl.done;
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    if (res.headersSent) {
      // The archive is already partly sent: cut the connection so the client sees a failed download.
      if (!abort.signal.aborted) log.warn("download failed midway", { error: String(err) });
      res.destroy();
      return;
    }
    const status = name === "NotFoundError" ? 404 : name === "ValidationError" ? 400 : 500;
    if (status === 500)
      log.error("download failed", { error: err instanceof Error ? err.message : String(err) });
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    res.end(
      status === 404
        ? "this download link is invalid or has expired; request a new one\n"
        : "the download failed; see the daemon's log\n",
    );
  }
}
