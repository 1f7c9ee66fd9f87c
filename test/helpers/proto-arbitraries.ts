/**
 * fast-check arbitraries built from protobuf descriptors, for fuzzing every RPC and the config:
 * JSON shaped like a message (each field of its kind, filled with hostile values), the same with
 * wrong types mixed in, malformed JSON text, and binary bodies (valid protobuf, truncated,
 * corrupted, invalid UTF-8, random bytes).
 */
import {
  type DescEnum,
  type DescField,
  type DescMessage,
  fromJson,
  type JsonValue,
  ScalarType,
  toBinary,
} from "@bufbuild/protobuf";
import fc from "fast-check";

/** What hostile values point at. */
export interface HostileTargets {
  /** An absolute path a shell payload would create; it must never appear. */
  sentinel: string;
  /** A scratch folder: every absolute path in the payloads that could be written to is inside it. */
  scratchDir: string;
  /** Fixture ids mixed in so some requests get past "not found" (empty: none). */
  knownIds: readonly string[];
  /** Also absolute paths of the system (/etc, /, /proc...), for requests that only read. */
  systemPaths: boolean;
}

/** Strings that attack paths, shells, parsers, logs and redaction. */
export function hostileStrings(t: HostileTargets): string[] {
  const s = t.sentinel;
  const system = t.systemPaths
    ? ["/", "//", "/./.", "/etc", "/etc/passwd", "/proc/self/environ", "/dev/zero", "/root/.."]
    : [];
  return [
    "",
    " ",
    ".",
    "..",
    "../../etc/passwd",
    "../../../../../../../etc/shadow",
    "a/../../b",
    "./-rf",
    ...system,
    `${t.scratchDir}/../${t.scratchDir.split("/").pop()}/x`,
    `${t.scratchDir}/new/../../x`,
    `${t.scratchDir}/a b/c`,
    "\0",
    "a\0b",
    `${t.scratchDir}/x\0.json`,
    `$(touch ${s})`,
    `\`touch ${s}\``,
    `; touch ${s}`,
    `| touch ${s}`,
    `&& touch ${s} &`,
    `' ; touch ${s} ; '`,
    `"; touch ${s}; "`,
    `\ntouch ${s}\n`,
    `$(touch ${s}); rm -rf ${t.scratchDir}/does-not-exist`,
    `${t.scratchDir}/$(touch ${s})`,
    `--repo=$(touch ${s})`,
    "$HOME",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell payload
    "${IFS}",
    "-rf",
    "--help",
    "--password-command=id",
    "%s%s%s%n",
    "%00",
    "\\",
    "C:\\Windows\\System32",
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "\r\nX-Injected: 1",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202egnp.exe",
    "\ud800",
    "\uffff\ufffe",
    "\u0001\u001f\u007f",
    "😀".repeat(40),
    "<redacted>",
    "a".repeat(256),
    ...t.knownIds,
  ];
}

/** A hostile string: listed payloads, random text and bytes, and now and then a very long one. */
export function hostileString(t: HostileTargets): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...hostileStrings(t)) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((n) => "x".repeat(n)) },
  );
}

/** 32-bit edge cases and beyond, as JSON numbers. */
const int32Json = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 1.5, -0),
  fc.integer(),
);

/** 64-bit integers as protobuf JSON writes them (strings) and beyond their range. */
const int64Json: fc.Arbitrary<JsonValue> = fc.oneof(
  int32Json,
  fc.constantFrom(
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "99999999999999999999999999999",
    "1e3",
    "0x10",
    " 1",
    "-",
    Number.MAX_SAFE_INTEGER,
    2 ** 63,
    1e308,
  ),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);

const floatJson: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom("NaN", "Infinity", "-Infinity", 1e308, -1e308, 5e-324, "1e400"),
);

const bytesJson: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("base64")),
  fc.constantFrom("!!!not base64!!!", "====", "a", "_-_-", ""),
);

/** A JSON value of any type, now and then nested a few levels deep. */
const anyJson: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>,
  fc.integer({ min: 2, max: 60 }).map((n) => nested(n)),
);

/** An object nested `depth` levels deep. */
export function nested(depth: number): JsonValue {
  let v: JsonValue = "deep";
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

export interface ShapeOptions {
  targets: HostileTargets;
  /** Share of fields given a value of the wrong type (0: every field has its own kind). */
  wrongTypes: number;
  /** How deep nested messages are filled (default 4). */
  maxDepth?: number;
}

/** JSON objects shaped like `desc`: any subset of its fields, by JSON or proto name. */
export function messageJson(
  desc: DescMessage,
  opts: ShapeOptions,
  depth = 0,
): fc.Arbitrary<JsonValue> {
  if (depth > (opts.maxDepth ?? 4)) return fc.constant({});
  const fields: Record<string, fc.Arbitrary<JsonValue>> = {};
  for (const field of desc.fields) {
    const own = fieldJson(field, opts, depth);
    fields[field.jsonName] =
      opts.wrongTypes > 0
        ? fc.oneof(
            { weight: Math.round((1 - opts.wrongTypes) * 100), arbitrary: own },
            { weight: Math.round(opts.wrongTypes * 100), arbitrary: anyJson },
          )
        : own;
  }
  const record = fc.record(fields, { requiredKeys: [] });
  const withOneofs =
    opts.wrongTypes > 0 ? record : record.map((r) => keepOneMemberPerOneof(desc, r));
  if (opts.wrongTypes === 0) return withOneofs as fc.Arbitrary<JsonValue>;
  return fc
    .tuple(withOneofs, fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 2 }))
    .map(([known, unknown]) => ({ ...unknown, ...known }) as JsonValue);
}

function keepOneMemberPerOneof(
  desc: DescMessage,
  record: Partial<Record<string, JsonValue>>,
): Partial<Record<string, JsonValue>> {
  for (const oneof of desc.oneofs) {
    const present = oneof.fields.filter((f) => f.jsonName in record);
    for (const extra of present.slice(1)) delete record[extra.jsonName];
  }
  return record;
}

function fieldJson(field: DescField, opts: ShapeOptions, depth: number): fc.Arbitrary<JsonValue> {
  switch (field.fieldKind) {
    case "scalar":
      return scalarJson(field.scalar, opts);
    case "enum":
      return enumJson(field.enum);
    case "message":
      return messageJson(field.message, opts, depth + 1);
    case "list": {
      const item =
        field.listKind === "scalar"
          ? scalarJson(field.scalar, opts)
          : field.listKind === "enum"
            ? enumJson(field.enum)
            : messageJson(field.message, opts, depth + 1);
      return fc.array(item, { maxLength: depth > 1 ? 3 : 6 });
    }
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarJson(field.scalar, opts)
          : field.mapKind === "enum"
            ? enumJson(field.enum)
            : messageJson(field.message, opts, depth + 1);
      return fc.dictionary(hostileString(opts.targets), value, { maxKeys: 4 });
    }
  }
}

function scalarJson(scalar: ScalarType, opts: ShapeOptions): fc.Arbitrary<JsonValue> {
  switch (scalar) {
    case ScalarType.STRING:
      return hostileString(opts.targets);
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.BYTES:
      return bytesJson;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return floatJson;
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return int64Json;
    default:
      return int32Json;
  }
}

function enumJson(desc: DescEnum): fc.Arbitrary<JsonValue> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...desc.values.map((v) => v.name)) },
    { weight: 1, arbitrary: fc.constantFrom(...desc.values.map((v) => v.number)) },
    { weight: 1, arbitrary: fc.constantFrom("NOT_A_VALUE", 99999, -1, "", null) },
  );
}

/** Bytes of malformed JSON text: truncated, invalid UTF-8, deep nesting, huge numbers, not an object. */
export function malformedJsonText(valid: fc.Arbitrary<JsonValue>): fc.Arbitrary<Buffer> {
  const text = valid.map((v) => JSON.stringify(v));
  return fc.oneof(
    text.chain((t) => fc.nat(t.length).map((n) => Buffer.from(t.slice(0, n)))),
    text.map((t) => Buffer.from(`${t}${t}`)),
    fc.constantFrom(
      Buffer.from([
        0x7b, 0x22, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22,
        0x7d,
      ]),
      Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]),
      Buffer.from('{"value": "\\ud800\\udc00\\ud800"}'),
      Buffer.from("[]"),
      Buffer.from("null"),
      Buffer.from('"a string"'),
      Buffer.from("12345"),
      Buffer.from(`{"a":${"1".repeat(5000)}}`),
      Buffer.from(`{"value":1${"0".repeat(400)}}`),
      Buffer.from('{"value":"a","value":"b"}'),
      Buffer.from("{'value': 'single quotes'}"),
      Buffer.from('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'),
      Buffer.alloc(0),
    ),
    fc
      .integer({ min: 100, max: 200_000 })
      .map((n) => Buffer.from(`${"[".repeat(n)}${"]".repeat(n)}`)),
    fc
      .integer({ min: 100, max: 50_000 })
      .map((n) => Buffer.from(`${'{"a":'.repeat(n)}1${"}".repeat(n)}`)),
    fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  );
}

/**
 * Binary protobuf bodies for `desc`: valid encodings of shaped messages, the same truncated or
 * with bytes flipped, a string field holding invalid UTF-8, wrong wire types, and random bytes.
 */
export function binaryBody(desc: DescMessage, targets: HostileTargets): fc.Arbitrary<Buffer> {
  const valid = messageJson(desc, { targets, wrongTypes: 0, maxDepth: 3 }).map((json) => {
    try {
      return Buffer.from(toBinary(desc, fromJson(desc, json, { ignoreUnknownFields: true })));
    } catch {
      return Buffer.alloc(0);
    }
  });
  const stringField = desc.fields.find(
    (f) => f.fieldKind === "scalar" && f.scalar === ScalarType.STRING,
  );
  const anyField = desc.fields[0];
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 2, arbitrary: valid.chain((b) => fc.nat(b.length).map((n) => b.subarray(0, n))) },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([b, at, x]) => {
        const copy = Buffer.from(b);
        if (copy.length > 0) copy[at % copy.length] = (copy[at % copy.length] as number) ^ x;
        return copy;
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constant(
        stringField
          ? Buffer.from([(stringField.number << 3) | 2, 4, 0xff, 0xfe, 0xc0, 0xaf])
          : Buffer.from([0x0a, 0x02, 0xff, 0xfe]),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        // A field with every wire type, a length far past the end, a varint that never ends.
        Buffer.from([((anyField?.number ?? 1) << 3) | 1, 1, 2, 3]),
        Buffer.from([((anyField?.number ?? 1) << 3) | 2, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        Buffer.from([0x0b, 0x0c]),
        Buffer.from([0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01]),
      ),
    },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
  );
}
