/**
 * The messages the leader tab relays to the others over a BroadcastChannel. Operations travel
 * as protobuf binary (structured clone cannot carry their prototypes and bigint ids intact
 * in every browser), decoded back into messages on arrival.
 */
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { type Operation, OperationSchema } from "../../../gen/v1/operations_pb";
import type { OpChange, StreamState } from "./op-events";

/** A relayed message: a change of the operation log or the stream's state. */
export type Relayed =
  | { type: "change"; change: OpChange }
  | { type: "state"; state: StreamState }
  | { type: "ask-state" };

type Wire =
  | { t: "upsert"; ops: Uint8Array[] }
  | { t: "delete"; ids: string[] }
  | { t: "resync" }
  | { t: "state"; s: StreamState }
  | { t: "ask" };

/** Encodes a message for postMessage. */
export function encodeRelayed(msg: Relayed): Wire {
  if (msg.type === "state") return { t: "state", s: msg.state };
  if (msg.type === "ask-state") return { t: "ask" };
  const c = msg.change;
  switch (c.type) {
    case "upsert":
      return { t: "upsert", ops: c.operations.map((op) => toBinary(OperationSchema, op)) };
    case "delete":
      return { t: "delete", ids: c.ids.map(String) };
    case "resync":
      return { t: "resync" };
  }
}

/** Decodes a posted message; undefined for anything that is not one of ours. */
export function decodeRelayed(data: unknown): Relayed | undefined {
  const w = data as Wire | undefined;
  switch (w?.t) {
    case "state":
      return { type: "state", state: w.s };
    case "ask":
      return { type: "ask-state" };
    case "upsert":
      return {
        type: "change",
        change: {
          type: "upsert",
          operations: w.ops.map((b): Operation => fromBinary(OperationSchema, b)),
        },
      };
    case "delete":
      return { type: "change", change: { type: "delete", ids: w.ids.map((id) => BigInt(id)) } };
    case "resync":
      return { type: "change", change: { type: "resync" } };
    default:
      return undefined;
  }
}
