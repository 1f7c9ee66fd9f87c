import { fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../../gen/v1/config_pb.js";
import { ValidationError } from "../errors.js";

/**
 * Parses config.json text in Backrest's format. Fields this schema does not know (e.g. `sync`
 * or `multihost` from newer Backrest versions) are ignored, and so are unknown enum values.
 * Throws ValidationError for malformed JSON (with line and column) or values of the wrong type.
 */
export function parseConfigJson(text: string): Config {
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new ValidationError(
      [{ path: "", message: describeSyntaxError(err, text) }],
      "invalid JSON",
    );
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ValidationError(
      [{ path: "", message: "the file must contain one JSON object; fix the top level" }],
      "invalid config",
    );
  }
  try {
    return fromJson(ConfigSchema, json, { ignoreUnknownFields: true });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ValidationError(
      [{ path: "", message: `${reason}; fix the value's type` }],
      "config does not match the schema",
    );
  }
}

/**
 * Serializes a config the way Backrest writes it: Backrest's JSON field names (e.g.
 * `backup_flags`), default values omitted, two-space indentation and a final newline.
 */
export function serializeConfig(cfg: Config): string {
  const json = toJson(ConfigSchema, cfg, { useProtoFieldName: false });
  return `${JSON.stringify(json, null, 2)}\n`;
}

function describeSyntaxError(err: unknown, text: string): string {
  const raw = err instanceof Error ? err.message : String(err);
  const match = /at position (\d+)/.exec(raw);
  const position = match ? Number(match[1]) : /end of JSON input/.test(raw) ? text.length : -1;
  const reason = raw.replace(/\s*in JSON at position \d+.*$/s, "");
  if (position < 0) return `malformed JSON (${reason}); fix the syntax error`;
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `malformed JSON at line ${line}, column ${column} (${reason}); fix the syntax error there`;
}
