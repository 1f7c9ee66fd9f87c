/**
 * The v1.Backrest service: handlers grouped by area in src/api/backrest/. Each handler
 * validates its input, calls one domain function and maps the result; errors are mapped at
 * the edge (src/api/errors.ts).
 */
import type { ServiceImpl } from "@connectrpc/connect";
import type { Backrest } from "../../gen/v1/service_pb.js";
import { configHandlers } from "./backrest/config.js";
import { databaseHandlers } from "./backrest/databases.js";
import type { BackrestServiceDeps } from "./backrest/deps.js";
import { operationHandlers } from "./backrest/operations.js";
import { snapshotHandlers } from "./backrest/snapshots.js";
import { storageHandlers } from "./backrest/storage.js";
import { taskHandlers } from "./backrest/tasks.js";
import { uiHelperHandlers } from "./backrest/ui-helpers.js";

export type { BackrestServiceDeps } from "./backrest/deps.js";

/** Creates the v1.Backrest handlers. */
export function createBackrestService(deps: BackrestServiceDeps): ServiceImpl<typeof Backrest> {
  return {
    ...configHandlers(deps),
    ...operationHandlers(deps),
    ...taskHandlers(deps),
    ...snapshotHandlers(deps),
    ...storageHandlers(deps),
    ...uiHelperHandlers(deps),
    ...databaseHandlers(deps),
  };
}
