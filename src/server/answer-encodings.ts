/**
 * Serialized and compressed bytes of answers that never change, kept with the answer for as
 * long as it lives. By the daemon's convention (src/deep-freeze.ts) a frozen message is
 * shared and never changed, whereas any other may be built afresh or changed: so the bytes of
 * a frozen answer (the config, the dashboard) are made once, and a list answer whose elements
 * are all frozen (the operations of GetOperations) is put together from each element's kept
 * bytes, exactly as protobuf-es would encode the whole list.
 */
import { type DescField, type DescMessage, toBinary, toJsonString } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { Compression } from "@connectrpc/connect/protocol";

type Forms = Map<string, Uint8Array>;

export interface AnswerEncodings {
  /** The answer's bytes; `make` encodes it when nothing is kept (or it may change). */
  serialized(
    schema: DescMessage,
    output: object,
    binary: boolean,
    make: () => Uint8Array,
  ): Uint8Array;
  /** The answer's compressed bytes, kept only for frozen answers. */
  compressed(
    output: object | undefined,
    binary: boolean,
    compression: Compression,
    make: () => Promise<Uint8Array>,
  ): Promise<Uint8Array>;
}

export function createAnswerEncodings(): AnswerEncodings {
  const byMessage = new WeakMap<object, Forms>();
  const formsOf = (message: object | undefined): Forms | undefined => {
    if (message === undefined || !Object.isFrozen(message)) return undefined;
    let forms = byMessage.get(message);
    if (!forms) {
      forms = new Map();
      byMessage.set(message, forms);
    }
    return forms;
  };
  const kept = (forms: Forms, key: string, make: () => Uint8Array) => {
    let bytes = forms.get(key);
    if (!bytes) {
      bytes = make();
      forms.set(key, bytes);
    }
    return bytes;
  };
  /** A frozen message's bytes, made once. */
  const elementBytes = (schema: DescMessage, message: object, binary: boolean) =>
    kept(formsOf(message) as Forms, binary ? "binary" : "json", () =>
      binary
        ? toBinary(schema, message as never)
        : JSON_TEXT.encode(toJsonString(schema, message as never)),
    );

  return {
    serialized(schema, output, binary, make) {
      const forms = formsOf(output);
      if (forms) return kept(forms, binary ? "binary" : "json", make);
      const list = frozenList(schema, output);
      if (!list) return make();
      const { field, elements } = list;
      const parts = elements.map((e) => elementBytes(field.message, e, binary));
      return binary ? binaryList(field, parts) : jsonList(field, parts);
    },
    async compressed(output, binary, compression, make) {
      const forms = formsOf(output);
      const key = `${binary ? "binary" : "json"}+${compression.name}`;
      const known = forms?.get(key);
      if (known) return known;
      const bytes = await make();
      forms?.set(key, bytes);
      return bytes;
    },
  };
}

const JSON_TEXT = new TextEncoder();

type ListField = DescField & { fieldKind: "list"; listKind: "message" };

/** A message of one repeated message field whose elements are all frozen, or undefined. */
function frozenList(
  schema: DescMessage,
  output: object,
): { field: ListField; elements: object[] } | undefined {
  if (schema.fields.length !== 1) return undefined;
  const field = schema.fields[0] as DescField;
  if (field.fieldKind !== "list" || field.listKind !== "message") return undefined;
  const elements = (output as Record<string, unknown>)[field.localName];
  if (!Array.isArray(elements) || !elements.every((e) => Object.isFrozen(e))) return undefined;
  return { field: field as ListField, elements };
}

/** The list message in protobuf binary: each element as a length-delimited field. */
function binaryList(field: ListField, parts: Uint8Array[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const part of parts) writer.tag(field.number, WireType.LengthDelimited).bytes(part);
  return writer.finish();
}

/** The list message in JSON, as toJsonString writes it (an empty list is left out). */
function jsonList(field: ListField, parts: Uint8Array[]): Uint8Array {
  if (parts.length === 0) return JSON_TEXT.encode("{}");
  const head = JSON_TEXT.encode(`{${JSON.stringify(field.jsonName)}:[`);
  const comma = JSON_TEXT.encode(",");
  const tail = JSON_TEXT.encode("]}");
  const chunks: Uint8Array[] = [head];
  parts.forEach((part, i) => {
    if (i > 0) chunks.push(comma);
    chunks.push(part);
  });
  chunks.push(tail);
  return Buffer.concat(chunks);
}
