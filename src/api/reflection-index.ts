/**
 * The answers of gRPC server reflection, from the descriptors of the served services: their
 * names, the files that declare them and everything those files import, and every symbol in
 * those files. Pure: no I/O, no stream handling (see reflection-service.ts).
 */
import {
  create,
  type DescFile,
  type DescService,
  type MessageInitShape,
  toBinary,
} from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import {
  type ServerReflectionRequest,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";

/** What reflection knows about the served services. */
export interface ReflectionIndex {
  /** Full names of the served services, e.g. "v1.Backrest". */
  readonly serviceNames: readonly string[];
  /** A file by its name, e.g. "v1/service.proto" or "google/protobuf/empty.proto". */
  fileByName(name: string): DescFile | undefined;
  /** The file declaring a service, method, message, field, oneof, enum, enum value or extension. */
  fileBySymbol(symbol: string): DescFile | undefined;
  /** The file declaring extension `number` of message `typeName`. */
  fileByExtension(typeName: string, number: number): DescFile | undefined;
  /** The extension numbers of a message type (sorted); undefined when the type is unknown. */
  extensionNumbers(typeName: string): number[] | undefined;
}

/** Indexes `services`, their files and the files they import. */
export function createReflectionIndex(services: readonly DescService[]): ReflectionIndex {
  const files = filesOf(services);
  const byName = new Map(files.map((f) => [f.proto.name, f]));
  const bySymbol = new Map<string, DescFile>();
  const messages = new Set<string>();
  const extensions = new Map<string, { file: DescFile; numbers: number[] }>();
  for (const file of files) {
    for (const type of nestedTypes(file)) {
      bySymbol.set(type.typeName, file);
      switch (type.kind) {
        case "message":
          messages.add(type.typeName);
          for (const field of type.fields) bySymbol.set(`${type.typeName}.${field.name}`, file);
          for (const oneof of type.oneofs) bySymbol.set(`${type.typeName}.${oneof.name}`, file);
          break;
        case "enum": {
          // Enum values are scoped beside their enum (C++ scoping rules), not inside it.
          const scope = type.parent?.typeName ?? file.proto.package;
          for (const value of type.values) bySymbol.set(join(scope, value.name), file);
          break;
        }
        case "service":
          for (const method of type.methods) bySymbol.set(`${type.typeName}.${method.name}`, file);
          break;
        case "extension": {
          const entry = extensions.get(type.extendee.typeName) ?? { file, numbers: [] };
          entry.numbers.push(type.number);
          extensions.set(type.extendee.typeName, entry);
          bySymbol.set(`${type.extendee.typeName}:${type.number}`, file);
          break;
        }
      }
    }
  }
  return {
    serviceNames: services.map((s) => s.typeName),
    fileByName: (name) => byName.get(name),
    fileBySymbol: (symbol) => (symbol.includes(":") ? undefined : bySymbol.get(symbol)),
    fileByExtension: (typeName, number) => bySymbol.get(`${typeName}:${number}`),
    extensionNumbers: (typeName) =>
      messages.has(typeName)
        ? [...(extensions.get(typeName)?.numbers ?? [])].sort((a, b) => a - b)
        : undefined,
  };
}

/** The files declaring `services` and everything they import, each once, imports first. */
export function filesOf(services: readonly DescService[]): DescFile[] {
  const files: DescFile[] = [];
  const seen = new Set<string>();
  const visit = (file: DescFile) => {
    if (seen.has(file.proto.name)) return;
    seen.add(file.proto.name);
    for (const dep of file.dependencies) visit(dep);
    files.push(file);
  };
  for (const service of services) visit(service.file);
  return files;
}

function join(scope: string, name: string): string {
  return scope === "" ? name : `${scope}.${name}`;
}

type Answer = MessageInitShape<typeof ServerReflectionResponseSchema>["messageResponse"];

/**
 * Answers one request. `sent` holds the names of the files already sent on this stream; it is
 * updated, so that dependencies are sent once per stream (the requested file always is).
 */
export function answerReflection(
  index: ReflectionIndex,
  request: ServerReflectionRequest,
  sent: Set<string>,
): ServerReflectionResponse {
  return create(ServerReflectionResponseSchema, {
    validHost: request.host,
    originalRequest: request,
    messageResponse: answer(index, request.messageRequest, sent),
  });
}

function answer(
  index: ReflectionIndex,
  question: ServerReflectionRequest["messageRequest"],
  sent: Set<string>,
): Answer {
  switch (question.case) {
    case "listServices":
      return {
        case: "listServicesResponse",
        value: { service: index.serviceNames.map((name) => ({ name })) },
      };
    case "fileByFilename":
      return files(index.fileByName(question.value), sent, `file "${question.value}"`);
    case "fileContainingSymbol":
      return files(index.fileBySymbol(question.value), sent, `symbol "${question.value}"`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = question.value;
      const file = index.fileByExtension(containingType, extensionNumber);
      return files(file, sent, `extension ${extensionNumber} of "${containingType}"`);
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbers(question.value);
      if (!numbers) return notFound(`type "${question.value}"`);
      return {
        case: "allExtensionNumbersResponse",
        value: { baseTypeName: question.value, extensionNumber: numbers },
      };
    }
    case undefined:
      return error(Code.InvalidArgument, "the request asks nothing: set one of its fields");
  }
}

/** The file and its imports (breadth first), skipping imports already sent on the stream. */
function files(file: DescFile | undefined, sent: Set<string>, what: string): Answer {
  if (!file) return notFound(what);
  const out: Uint8Array[] = [];
  const queue = [file];
  for (let f = queue.shift(); f; f = queue.shift()) {
    if (out.length === 0 || !sent.has(f.proto.name)) {
      sent.add(f.proto.name);
      out.push(toBinary(FileDescriptorProtoSchema, f.proto));
    }
    queue.push(...f.dependencies);
  }
  return { case: "fileDescriptorResponse", value: { fileDescriptorProto: out } };
}

function notFound(what: string): Answer {
  return error(Code.NotFound, `${what} not found`);
}

/** Connect's codes are gRPC's status codes, numerically. */
function error(code: Code, message: string): Answer {
  return { case: "errorResponse", value: { errorCode: code, errorMessage: message } };
}
