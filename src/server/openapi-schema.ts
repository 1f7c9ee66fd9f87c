/**
 * JSON Schemas (2020-12, the dialect of OpenAPI 3.1) for protobuf messages and enums in their
 * canonical protobuf-JSON form, the form the daemon writes in Connect JSON responses:
 * json_name keys, 64-bit integers as decimal strings, enums as value names, bytes as base64,
 * maps as objects, oneofs as "at most one of these keys", and the well-known types in their
 * special forms (google.protobuf.Empty is `{}`, google.protobuf.StringValue a bare string).
 * Fields with default values are omitted in that form, so no property is required.
 *
 * Built from the descriptors alone, so the schemas cannot drift from the .proto files.
 */
import { type DescEnum, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";

/** A JSON Schema object. */
export type JsonSchema = { [keyword: string]: unknown };

/** Component schemas are referenced as `${SCHEMA_REF}<type name>`. */
export const SCHEMA_REF = "#/components/schemas/";

/** Collects the component schemas of messages and enums and everything they use. */
export interface SchemaCollector {
  /** `{ $ref }` to the component of a message or enum; collects it on first use. */
  ref(desc: DescMessage | DescEnum): JsonSchema;
  /** Every component collected so far, keyed by full protobuf type name, sorted by name. */
  components(): Record<string, JsonSchema>;
}

const INT64_PATTERN = "^-?[0-9]+$";
const UINT64_PATTERN = "^[0-9]+$";

/** Schema of a scalar value in protobuf JSON. */
export function scalarSchema(scalar: ScalarType): JsonSchema {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      // A number, or one of the strings protobuf JSON uses for the special values.
      return {
        type: ["number", "string"],
        format: scalar === ScalarType.DOUBLE ? "double" : "float",
        pattern: "^(NaN|-?Infinity)$",
      };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", format: "int32" };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", minimum: 0, maximum: 4294967295 };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { type: "string", format: "int64", pattern: INT64_PATTERN };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: "string", format: "int64", pattern: UINT64_PATTERN };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BYTES:
      return { type: "string", format: "byte", contentEncoding: "base64" };
  }
}

/** Schema of a map key, which protobuf JSON writes as an object key (a string). */
function mapKeySchema(key: ScalarType): JsonSchema | undefined {
  switch (key) {
    case ScalarType.STRING:
      return undefined;
    case ScalarType.BOOL:
      return { enum: ["true", "false"] };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { pattern: UINT64_PATTERN };
    default:
      return { pattern: INT64_PATTERN };
  }
}

/** The wrappers whose JSON is the bare value of their `value` field. */
const WRAPPERS = new Set(
  ["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"].map(
    (t) => `google.protobuf.${t}Value`,
  ),
);

/** The other well-known types with a JSON form of their own. */
const WELL_KNOWN: Readonly<Record<string, JsonSchema>> = {
  "google.protobuf.Empty": {
    type: "object",
    additionalProperties: false,
    description: "No content: `{}`.",
  },
  "google.protobuf.Timestamp": { type: "string", format: "date-time" },
  "google.protobuf.Duration": {
    type: "string",
    pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$",
    description: 'Seconds with an "s" suffix, e.g. "1.5s".',
  },
  "google.protobuf.FieldMask": {
    type: "string",
    description: "Comma-separated field paths in lowerCamelCase.",
  },
  "google.protobuf.Struct": { type: "object" },
  "google.protobuf.Value": {
    type: ["null", "boolean", "number", "string", "object", "array"],
    description: "Any JSON value.",
  },
  "google.protobuf.ListValue": { type: "array" },
  "google.protobuf.Any": {
    type: "object",
    properties: { "@type": { type: "string" } },
    required: ["@type"],
  },
};

/** Creates an empty collector. */
export function createSchemaCollector(): SchemaCollector {
  const schemas = new Map<string, JsonSchema>();

  function ref(desc: DescMessage | DescEnum): JsonSchema {
    if (!schemas.has(desc.typeName)) {
      // Registered before it is built, so a recursive message refers to itself.
      const schema: JsonSchema = {};
      schemas.set(desc.typeName, schema);
      Object.assign(schema, desc.kind === "enum" ? enumSchema(desc) : messageSchema(desc));
    }
    return { $ref: `${SCHEMA_REF}${desc.typeName}` };
  }

  function messageSchema(message: DescMessage): JsonSchema {
    if (WRAPPERS.has(message.typeName) && message.fields[0]?.fieldKind === "scalar") {
      return scalarSchema(message.fields[0].scalar);
    }
    const wellKnown = WELL_KNOWN[message.typeName];
    if (wellKnown) return { ...wellKnown };
    const properties: Record<string, JsonSchema> = {};
    for (const field of message.fields) properties[field.jsonName] = fieldSchema(field);
    const schema: JsonSchema = { type: "object", properties, additionalProperties: false };
    const exclusive = oneofExclusions(message);
    if (exclusive) schema.dependentSchemas = exclusive;
    if (message.deprecated) schema.deprecated = true;
    return schema;
  }

  function fieldSchema(field: DescField): JsonSchema {
    const schema = valueSchema(field);
    if (field.oneof) {
      const others = field.oneof.fields.map((f) => `\`${f.jsonName}\``).join(", ");
      schema.description = `Oneof \`${field.oneof.name}\`: at most one of ${others} is set.`;
    }
    if (field.deprecated) schema.deprecated = true;
    return schema;
  }

  function valueSchema(field: DescField): JsonSchema {
    switch (field.fieldKind) {
      case "scalar":
        return scalarSchema(field.scalar);
      case "enum":
        return ref(field.enum);
      case "message":
        return ref(field.message);
      case "list": {
        const items =
          field.listKind === "scalar"
            ? scalarSchema(field.scalar)
            : ref(field.listKind === "enum" ? field.enum : field.message);
        return { type: "array", items };
      }
      case "map": {
        const values =
          field.mapKind === "scalar"
            ? scalarSchema(field.scalar)
            : ref(field.mapKind === "enum" ? field.enum : field.message);
        const keys = mapKeySchema(field.mapKey);
        return {
          type: "object",
          additionalProperties: values,
          ...(keys && { propertyNames: keys }),
        };
      }
    }
  }

  return {
    ref,
    components() {
      const names = [...schemas.keys()].sort();
      return Object.fromEntries(names.map((name) => [name, schemas.get(name) as JsonSchema]));
    },
  };
}

/** Enums are written as their value names; google.protobuf.NullValue as JSON null. */
function enumSchema(desc: DescEnum): JsonSchema {
  if (desc.typeName === "google.protobuf.NullValue") return { type: "null" };
  return { type: "string", enum: desc.values.map((v) => v.name) };
}

/**
 * "At most one member of each oneof": when one member is present, the others must be absent.
 * Expressed with dependentSchemas so that it constrains without changing how tools render the
 * properties; undefined when the message has no (real) oneof.
 */
function oneofExclusions(message: DescMessage): JsonSchema | undefined {
  const dependent: JsonSchema = {};
  for (const oneof of message.oneofs) {
    if (oneof.fields.length < 2) continue;
    for (const field of oneof.fields) {
      const others = oneof.fields.filter((f) => f !== field).map((f) => [f.jsonName, false]);
      dependent[field.jsonName] = { properties: Object.fromEntries(others) };
    }
  }
  return Object.keys(dependent).length > 0 ? dependent : undefined;
}
