/**
 * Reading the head of an upload request (POST /v1/upload/<planId>): the plan, the file name
 * (?filename= or Content-Disposition), the declared size and whether the body is a form.
 * Pure functions over strings; the route applies them.
 */
import { ValidationError } from "../errors.js";

/** The route's path; the plan id follows it after a "/". */
export const UPLOAD_PATH = "/v1/upload";

/** What a client is told when it gives no file name. */
export const MISSING_FILENAME =
  'the upload has no file name: add ?filename=<name> to the URL or send the header "Content-Disposition: attachment; filename=<name>" (in a multipart form, give the file part a filename)';

/**
 * The plan id of an upload path ("/v1/upload/<planId>", percent-decoded); "" when the path
 * names no plan or more than one segment; undefined when it is not an upload path at all.
 */
export function planIdOfPath(path: string): string | undefined {
  if (path === UPLOAD_PATH || path === `${UPLOAD_PATH}/`) return "";
  if (!path.startsWith(`${UPLOAD_PATH}/`)) return undefined;
  const rest = path.slice(UPLOAD_PATH.length + 1);
  if (rest.includes("/")) return "";
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** The `filename` query parameter of a request URL, or undefined when it has none. */
export function filenameFromQuery(url: string): string | undefined {
  const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
  return new URLSearchParams(query).get("filename") ?? undefined;
}

/** The size a request declares in Content-Length; undefined when it declares none (chunked). */
export function declaredSize(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/** True for a multipart/form-data body. */
export function isMultipartForm(contentType: string | undefined): boolean {
  return /^\s*multipart\/form-data\s*(;|$)/i.test(contentType ?? "");
}

/**
 * The file name of a Content-Disposition header (`attachment; filename="db.sql"`, or the RFC
 * 6266 / 8187 form `filename*=UTF-8''na%C3%AFve.sql`, which wins when both are given);
 * undefined when the header is missing or names no file. Throws ValidationError for a
 * `filename*` that cannot be decoded.
 */
export function filenameFromDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const params = dispositionParams(header);
  const extended = params.get("filename*");
  if (extended !== undefined) return decodeExtValue(extended);
  return params.get("filename");
}

/** The parameters after the disposition type, names lower-cased, quoted values unescaped. */
function dispositionParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const semicolon = header.indexOf(";");
  if (semicolon < 0) return params;
  const param = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of header.slice(semicolon).matchAll(param)) {
    const name = (m[1] ?? "").toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "").trim();
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

/** Decodes `charset'language'percent-encoded` (RFC 8187): UTF-8 or ISO-8859-1. */
function decodeExtValue(value: string): string {
  const m = /^([^']*)'[^']*'(.*)$/.exec(value);
  const charset = m?.[1]?.toLowerCase();
  const encoded = m?.[2] ?? "";
  const invalid = (why: string) =>
    new ValidationError(
      [{ path: "Content-Disposition", message: `filename* ${why}` }],
      "invalid upload",
    );
  if (!m) throw invalid(`must have the form UTF-8''<percent-encoded name>`);
  if (charset === "utf-8") {
    try {
      return decodeURIComponent(encoded);
    } catch {
      throw invalid("is not valid percent-encoded UTF-8; encode the name with encodeURIComponent");
    }
  }
  if (charset === "iso-8859-1") {
    if (/%(?![0-9a-f]{2})/i.test(encoded))
      throw invalid("has a % that is not followed by two hex digits");
    const bytes = encoded.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    return bytes;
  }
  throw invalid(`uses the charset "${m[1]}"; use UTF-8`);
}
