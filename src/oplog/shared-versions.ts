/**
 * Decoded operations kept by version, for OpStore.queryShared. Every change of an operation
 * gets a new store-wide modno, so a modno names one version for good: its decoded, frozen
 * instance can be handed to every reader of that version. Readers that poll (GetOperations,
 * the web UI) then skip decoding, and the server keeps each instance's encoded bytes
 * (src/server/answer-encodings.ts).
 */
import { fromBinary } from "@bufbuild/protobuf";
import { type Operation, OperationSchema } from "../../gen/v1/operations_pb.js";
import { deepFreeze } from "../deep-freeze.js";

/** Versions kept: the most recently read (an operation is a few hundred bytes to a few KiB). */
const DEFAULT_MAX = 5_000;

export interface SharedVersions {
  /** The kept instance of version `modno`, if it is kept. */
  known(modno: bigint): Readonly<Operation> | undefined;
  /** Decodes a stored operation, freezes and keeps it under its modno. */
  keep(bytes: Uint8Array): Readonly<Operation>;
}

export function createSharedVersions(max = DEFAULT_MAX): SharedVersions {
  const byModno = new Map<bigint, Operation>();
  return {
    known(modno) {
      const op = byModno.get(modno);
      if (op) {
        // Most recently used last, so the first entry is the one dropped when full.
        byModno.delete(modno);
        byModno.set(modno, op);
      }
      return op;
    },
    keep(bytes) {
      const op = deepFreeze(fromBinary(OperationSchema, bytes));
      if (byModno.size >= max) byModno.delete(byModno.keys().next().value as bigint);
      byModno.set(op.modno, op);
      return op;
    },
  };
}
