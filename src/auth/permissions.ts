/**
 * What each RPC needs, in one table, and what each role holds.
 *
 * Every RPC of every service the daemon serves has an entry; a test walks the services and
 * fails on a missing one. An API key holds exactly the permissions it was created with; a
 * user holds their role's; anonymous (authentication disabled) holds everything.
 */

/** The permissions a key can be given. */
export const PERMISSIONS = [
  "config:read",
  "config:write",
  "plans:read",
  "plans:run",
  "plans:upload",
  "repos:read",
  "repos:write",
  "repos:maintain",
  "operations:read",
  "operations:cancel",
  "operations:delete",
  "snapshots:read",
  "snapshots:restore",
  "snapshots:download",
  "keys:manage",
  "audit:read",
  "metrics:read",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * What an RPC requires beyond a permission:
 * - "public": no credentials at all (Login);
 * - "authenticated": any principal (helpers such as WhoAmI);
 * - "admin-user": a signed-in admin user, never an API key (the recovery kit).
 */
export type Requirement = Permission | "public" | "authenticated" | "admin-user";

export type Role = "admin" | "operator" | "viewer";

export const ROLES: readonly Role[] = ["admin", "operator", "viewer"];

const VIEWER: readonly Permission[] = [
  "config:read",
  "plans:read",
  "repos:read",
  "operations:read",
  "snapshots:read",
  "metrics:read",
];

const OPERATOR: readonly Permission[] = [
  ...VIEWER,
  "plans:run",
  "plans:upload",
  "repos:maintain",
  "operations:cancel",
  "snapshots:restore",
  "snapshots:download",
  "audit:read",
];

/** The permissions of each role; admin holds them all. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  admin: new Set(PERMISSIONS),
  operator: new Set(OPERATOR),
  viewer: new Set(VIEWER),
};

/** The requirement of every RPC, keyed by "<service type name>/<method name>". */
export const RPC_REQUIREMENTS: Readonly<Record<string, Requirement>> = {
  "v1.Backrest/GetConfig": "config:read",
  "v1.Backrest/SetConfig": "config:write",
  "v1.Backrest/AddRepo": "repos:write",
  "v1.Backrest/RemoveRepo": "repos:write",
  "v1.Backrest/GetOperationEvents": "operations:read",
  "v1.Backrest/GetOperations": "operations:read",
  "v1.Backrest/Backup": "plans:run",
  "v1.Backrest/StartBackup": "plans:run",
  "v1.Backrest/ListSnapshots": "snapshots:read",
  "v1.Backrest/ListSnapshotFiles": "snapshots:read",
  "v1.Backrest/DoRepoTask": "repos:maintain",
  "v1.Backrest/Forget": "repos:maintain",
  "v1.Backrest/Restore": "snapshots:restore",
  "v1.Backrest/Cancel": "operations:cancel",
  "v1.Backrest/GetLogs": "operations:read",
  // Any restic command, including key and forget: as much as changing the repo itself.
  "v1.Backrest/RunCommand": "repos:write",
  "v1.Backrest/GetDownloadURL": "snapshots:download",
  "v1.Backrest/ClearHistory": "operations:delete",
  "v1.Backrest/GetSummaryDashboard": "plans:read",
  "v1.Backrest/RecycleSnapshots": "repos:maintain",
  "v1.Backrest/ListRecycleBin": "snapshots:read",
  "v1.Backrest/RestoreFromRecycleBin": "repos:maintain",
  "v1.Backrest/WaitOperation": "operations:read",
  // Pausing a schedule is an operator's action, though it is kept in the config.
  "v1.Backrest/SetPaused": "plans:run",
  "v1.Backrest/PurgeRecycleBin": "repos:maintain",
  "v1.Backrest/GetStorageUsage": "repos:read",
  "v1.Backrest/RotateRepoPassword": "repos:write",
  "v1.Backrest/GetRecoveryKit": "admin-user",
  // The daemon's file system tree: only for those who may configure what is backed up.
  "v1.Backrest/ListLocalPaths": "config:write",
  "v1.Backrest/PreviewRetention": "snapshots:read",
  "v1.Backrest/TestRepo": "repos:write",
  "v1.Backrest/DiffSnapshots": "snapshots:read",
  "v1.Backrest/RestoreDatabase": "snapshots:restore",
  "v1.Authentication/HashPassword": "authenticated",
  "v1.Authentication/Login": "public",
  "v1.Authentication/WhoAmI": "authenticated",
  "v1.ApiKeys/CreateApiKey": "keys:manage",
  "v1.ApiKeys/ListApiKeys": "keys:manage",
  "v1.ApiKeys/UpdateApiKey": "keys:manage",
  "v1.ApiKeys/DeleteApiKey": "keys:manage",
  "v1.Audit/ListAuditEvents": "audit:read",
  // gRPC server reflection describes the API (no data), for tools such as grpcurl.
  "grpc.reflection.v1.ServerReflection/ServerReflectionInfo": "authenticated",
  "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": "authenticated",
};

/** The requirement of an RPC, or undefined when the table has no entry (refuse the call). */
export function requirementOf(service: string, method: string): Requirement | undefined {
  return RPC_REQUIREMENTS[`${service}/${method}`];
}

/** True when `value` names a permission. */
export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** True when `value` names a role; "" (Backrest configs) counts as admin. */
export function isRole(value: string): value is Role | "" {
  return value === "" || (ROLES as readonly string[]).includes(value);
}

/** The role of a config user: "" (Backrest configs) is admin. */
export function roleOf(configRole: string): Role {
  return isRole(configRole) && configRole !== "" ? configRole : "admin";
}
