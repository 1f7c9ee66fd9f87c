/**
 * What of a Backrest config.json cannot be carried over to Restwell: fields and enum values
 * this schema does not know (dropped when the file is read, e.g. multihost `sync`), and
 * settings that load but do nothing here.
 */
import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../../../gen/v1/config_pb.js";
import { CURRENT_CONFIG_VERSION } from "../../config/index.js";

/** Something of the Backrest config that Restwell will not use, with where it is. */
export interface Dropped {
  path: string;
  message: string;
}

/** Everything of `json` (the raw file) and `config` (as read) that does not carry over. */
export function findDropped(json: unknown, config: Config): Dropped[] {
  const out = unknownFields(json, ConfigSchema, "");
  if (config.version > CURRENT_CONFIG_VERSION)
    out.push({
      path: "version",
      message: `written by a newer Backrest (format ${config.version}, Restwell reads ${CURRENT_CONFIG_VERSION}); settings it added are not carried over`,
    });
  const hookLists: [string, Config["plans"][number]["hooks"]][] = [
    ...config.repos.map((r, i): [string, typeof r.hooks] => [`repos[${i}].hooks`, r.hooks]),
    ...config.plans.map((p, i): [string, typeof p.hooks] => [`plans[${i}].hooks`, p.hooks]),
  ];
  for (const [path, hooks] of hookLists) {
    hooks.forEach((hook, i) => {
      if (hook.action.case === "actionShoutrrr")
        out.push({
          path: `${path}[${i}]`,
          message:
            "Shoutrrr notifications are not supported: the hook is kept but fails when it runs; replace it with a native Discord, Slack, Gotify, Telegram, ntfy, Healthchecks, email or webhook action",
        });
    });
  }
  return out;
}

/** Fields and enum values in `json` that `desc` does not have, with their paths. */
function unknownFields(json: unknown, desc: DescMessage, path: string): Dropped[] {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return [];
  if (desc.typeName.startsWith("google.protobuf.")) return [];
  const out: Dropped[] = [];
  for (const [key, value] of Object.entries(json)) {
    const at = path ? `${path}.${key}` : key;
    const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
    if (!field) {
      out.push({ path: at, message: "not supported by Restwell; ignored" });
      continue;
    }
    out.push(...unknownInField(field, value, at));
  }
  return out;
}

function unknownInField(field: DescField, value: unknown, at: string): Dropped[] {
  switch (field.fieldKind) {
    case "message":
      return unknownFields(value, field.message, at);
    case "enum":
      return unknownEnum(field.enum, value, at);
    case "list":
      if (!Array.isArray(value)) return [];
      if (field.listKind === "message")
        return value.flatMap((v, i) => unknownFields(v, field.message, `${at}[${i}]`));
      if (field.listKind === "enum")
        return value.flatMap((v, i) => unknownEnum(field.enum, v, `${at}[${i}]`));
      return [];
    case "map":
      if (field.mapKind !== "message" || value === null || typeof value !== "object") return [];
      return Object.entries(value).flatMap(([k, v]) =>
        unknownFields(v, field.message, `${at}.${k}`),
      );
    default:
      return [];
  }
}

function unknownEnum(desc: DescEnum, value: unknown, at: string): Dropped[] {
  if (typeof value !== "string" || desc.values.some((v) => v.name === value)) return [];
  return [{ path: at, message: `"${value}" is not supported by Restwell; ignored` }];
}
