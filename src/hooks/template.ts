/**
 * Backrest-compatible hook templates: a Go text/template subset (fields, if/else if/else,
 * with, range, variables, pipelines, comments, trim markers, eq/ne/and/or/not/len/index/
 * print/printf/println/html/urlquery) over the data described in template/vars.ts.
 */
import type { HookEvent } from "./event.js";
import { isBuiltin } from "./template/builtins.js";
import { execute } from "./template/exec.js";
import { type ParsedTemplate, parseTemplate } from "./template/parse.js";
import { templateVars } from "./template/vars.js";

const cache = new Map<string, ParsedTemplate>();
const CACHE_LIMIT = 256;

/** Parses `template`, throwing a TemplateError that points at the problem when it is malformed. */
export function parseHookTemplate(template: string): ParsedTemplate {
  const hit = cache.get(template);
  if (hit) return hit;
  const parsed = parseTemplate(template, isBuiltin);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(template, parsed);
  return parsed;
}

/**
 * Renders a Backrest-style Go template with the event. Unknown fields render as empty; a
 * malformed template (or a helper called wrongly) throws a TemplateError.
 */
export function renderTemplate(template: string, event: HookEvent): string {
  return execute(parseHookTemplate(template), templateVars(event));
}
