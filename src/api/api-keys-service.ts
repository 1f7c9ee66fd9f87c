/** Handlers of the v1.ApiKeys service. The key logic is in src/apikeys. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  ApiKeyListSchema,
  ApiKeySchema,
  type ApiKeys,
  CreateApiKeyResponseSchema,
} from "../../gen/v1/access_pb.js";
import type { ApiKeyRecord, ApiKeyService } from "../apikeys/index.js";
import { principalKey } from "../auth/principal.js";
import { ValidationError } from "../errors.js";

/** Creates the v1.ApiKeys handlers. */
export function createApiKeysService(keys: ApiKeyService): ServiceImpl<typeof ApiKeys> {
  return {
    createApiKey(req, ctx) {
      const creator = ctx.values.get(principalKey) ?? { kind: "anonymous" as const };
      const { key, token } = keys.create(
        { name: req.name, permissions: req.permissions, expiresMs: Number(req.expiresAtMs) },
        creator,
      );
      return create(CreateApiKeyResponseSchema, { key: toWire(key), token });
    },
    listApiKeys: () => create(ApiKeyListSchema, { keys: keys.list().map(toWire) }),
    updateApiKey: (req) => toWire(keys.setDisabled(keyId(req.id), req.disabled)),
    deleteApiKey(req) {
      keys.delete(keyId(req.id));
      return {};
    },
  };
}

function keyId(id: string): string {
  if (id === "") throw new ValidationError([{ path: "id", message: "must name a key" }]);
  return id;
}

function toWire(key: ApiKeyRecord) {
  return create(ApiKeySchema, {
    id: key.id,
    name: key.name,
    permissions: key.permissions,
    createdAtMs: BigInt(key.createdMs),
    expiresAtMs: BigInt(key.expiresMs),
    lastUsedAtMs: BigInt(key.lastUsedMs),
    disabled: key.disabled,
    createdBy: key.createdBy,
    tokenPrefix: key.tokenHint,
  });
}
