/** Handlers of the v1.Authentication service. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { StringValueSchema } from "../../gen/types/value_pb.js";
import type { Authentication } from "../../gen/v1/authentication_pb.js";
import { hashPassword } from "../auth/password.js";
import { ValidationError } from "../errors.js";

/** bcrypt only uses the first 72 bytes; longer passwords would silently be truncated. */
const MAX_PASSWORD_BYTES = 72;

/** Creates the v1.Authentication handlers. */
export function createAuthenticationService(): ServiceImpl<typeof Authentication> {
  return {
    async hashPassword(req) {
      const bytes = Buffer.byteLength(req.value, "utf8");
      if (bytes === 0 || bytes > MAX_PASSWORD_BYTES) {
        throw new ValidationError([
          { path: "value", message: `must be a password of 1 to ${MAX_PASSWORD_BYTES} bytes` },
        ]);
      }
      return create(StringValueSchema, { value: await hashPassword(req.value) });
    },
  };
}
