/**
 * A small JSON Schema (2020-12) validator for the subset the OpenAPI document uses, so tests can
 * check real responses against the generated schemas. It refuses keywords it does not know
 * instead of ignoring them, so a schema it cannot check fails loudly rather than passing.
 */

export type Schema = boolean | { [keyword: string]: unknown };

/** Keywords that only annotate; they never make an instance invalid. */
const ANNOTATIONS = new Set([
  "$schema",
  "title",
  "description",
  "format",
  "contentEncoding",
  "deprecated",
  "default",
  "examples",
]);

const VALIDATORS = new Set([
  "$ref",
  "type",
  "enum",
  "const",
  "pattern",
  "minimum",
  "maximum",
  "properties",
  "additionalProperties",
  "required",
  "items",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "dependentSchemas",
  "propertyNames",
]);

/** Resolves a local reference such as "#/components/schemas/v1.Config" in `root`. */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`only local references are supported: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  if (type === "integer") return actual === "number" && Number.isInteger(value);
  return actual === type;
}

/** Validates `value` against `schema`; `root` holds the `$ref` targets. Returns the errors. */
export function validate(value: unknown, schema: Schema, root: unknown, path = "$"): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed`];
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${path}: ${message}`);
  const sub = (v: unknown, s: unknown, p: string) => validate(v, s as Schema, root, p);
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !VALIDATORS.has(keyword) && !keyword.startsWith("x-")) {
      throw new Error(`${path}: the test validator does not support "${keyword}"`);
    }
  }
  if (typeof schema.$ref === "string") {
    const target = resolvePointer(root, schema.$ref);
    if (target === undefined) fail(`unresolved $ref ${schema.$ref}`);
    else errors.push(...sub(value, target, path));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t)))
      fail(`expected ${types.join("|")}, got ${typeOf(value)}`);
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))
  ) {
    fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    fail(`expected ${JSON.stringify(schema.const)}`);
  }
  if (typeof value === "string" && typeof schema.pattern === "string") {
    if (!new RegExp(schema.pattern, "u").test(value))
      fail(`"${value}" does not match ${schema.pattern}`);
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum)
      fail(`below ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum)
      fail(`above ${schema.maximum}`);
  }
  if (typeOf(value) === "object") {
    errors.push(...validateObject(value as Record<string, unknown>, schema, root, path));
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (const [i, item] of value.entries())
      errors.push(...sub(item, schema.items, `${path}[${i}]`));
  }
  for (const s of (schema.allOf as Schema[] | undefined) ?? []) errors.push(...sub(value, s, path));
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => sub(value, s, path).length === 0)) {
    fail("matches none of anyOf");
  }
  if (Array.isArray(schema.oneOf)) {
    const matches = schema.oneOf.filter((s) => sub(value, s, path).length === 0).length;
    if (matches !== 1) fail(`matches ${matches} of oneOf, expected exactly 1`);
  }
  if (schema.not !== undefined && sub(value, schema.not, path).length === 0) fail("matches `not`");
  return errors;
}

function validateObject(
  value: Record<string, unknown>,
  schema: Exclude<Schema, boolean>,
  root: unknown,
  path: string,
): string[] {
  const errors: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const name of (schema.required as string[] | undefined) ?? []) {
    if (!(name in value)) errors.push(`${path}: missing required "${name}"`);
  }
  for (const [name, v] of Object.entries(value)) {
    const at = `${path}.${name}`;
    if (schema.propertyNames !== undefined) {
      errors.push(...validate(name, schema.propertyNames as Schema, root, `${at} (name)`));
    }
    if (name in properties) errors.push(...validate(v, properties[name] as Schema, root, at));
    else if (schema.additionalProperties !== undefined) {
      errors.push(...validate(v, schema.additionalProperties as Schema, root, at));
    }
  }
  const dependent = (schema.dependentSchemas ?? {}) as Record<string, Schema>;
  for (const [name, s] of Object.entries(dependent)) {
    if (name in value) errors.push(...validate(value, s, root, path));
  }
  return errors;
}

/** Every `$ref` string anywhere in `doc`, with where it occurs. */
export function collectRefs(doc: unknown, path = "$"): { ref: string; at: string }[] {
  if (doc === null || typeof doc !== "object") return [];
  const refs: { ref: string; at: string }[] = [];
  for (const [key, v] of Object.entries(doc)) {
    if (key === "$ref" && typeof v === "string") refs.push({ ref: v, at: path });
    else refs.push(...collectRefs(v, `${path}.${key}`));
  }
  return refs;
}
