/**
 * Copies of operations with the fields a store assigns, shared by every store.
 */
import { clone } from "@bufbuild/protobuf";
import { type Operation, OperationSchema } from "../../gen/v1/operations_pb.js";

/** A copy of `op` with the given id and modno, and flowId defaulted to the id when 0. */
export function stampOperation(op: Operation, id: bigint, modno: bigint): Operation {
  const copy = clone(OperationSchema, op);
  copy.id = id;
  copy.modno = modno;
  if (copy.flowId === 0n) copy.flowId = id;
  return copy;
}

/** Independent copies of operations, for handing out without sharing stored state. */
export function copyOperations(ops: readonly Operation[]): Operation[] {
  return ops.map((op) => clone(OperationSchema, op));
}
