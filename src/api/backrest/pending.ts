/**
 * RPCs declared in proto/ whose handlers are still being built: they answer UNIMPLEMENTED.
 * Each entry is removed when its handler lands in its area's file.
 */
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { Backrest } from "../../../gen/v1/service_pb.js";

const notYet = (name: string) => () => {
  throw new ConnectError(
    `${name} is not available in this version of Restwell`,
    Code.Unimplemented,
  );
};

export function pendingHandlers(): Pick<
  ServiceImpl<typeof Backrest>,
  "testRepo" | "diffSnapshots" | "restoreDatabase"
> {
  return {
    testRepo: notYet("TestRepo"),
    diffSnapshots: notYet("DiffSnapshots"),
    restoreDatabase: notYet("RestoreDatabase"),
  };
}
