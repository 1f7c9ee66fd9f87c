/** Handlers of the v1.Authentication service: HashPassword, Login and WhoAmI. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { StringValueSchema } from "../../gen/types/value_pb.js";
import {
  type Authentication,
  LoginResponseSchema,
  WhoAmIResponseSchema,
} from "../../gen/v1/authentication_pb.js";
import type { Authenticator } from "../auth/authenticator.js";
import { hashPassword } from "../auth/password.js";
import { permissionsOf, principalKey } from "../auth/principal.js";
import type { SessionTokens } from "../auth/session-tokens.js";
import { UnauthenticatedError, ValidationError } from "../errors.js";
import { clientAddressKey } from "../server/request-id.js";

/** bcrypt only uses the first 72 bytes; longer passwords would silently be truncated. */
const MAX_PASSWORD_BYTES = 72;

export interface AuthenticationServiceDeps {
  authn: Authenticator;
  sessions: SessionTokens;
  /** Called with the client address and user name of a failed Login. */
  onFailure?: (address: string, user?: string) => void;
}

/** Creates the v1.Authentication handlers. */
export function createAuthenticationService(
  deps: AuthenticationServiceDeps,
): ServiceImpl<typeof Authentication> {
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
    async login(req, ctx) {
      if (req.username === "" || req.password === "")
        throw new ValidationError([
          { path: req.username === "" ? "username" : "password", message: "must not be empty" },
        ]);
      const user = await deps.authn.checkPassword(req.username, req.password);
      if (!user) {
        deps.onFailure?.(ctx.values.get(clientAddressKey), req.username);
        throw new UnauthenticatedError("wrong username or password");
      }
      const { token, expiresMs } = deps.sessions.issue(user);
      return create(LoginResponseSchema, { token, expiresAtMs: BigInt(expiresMs) });
    },
    whoAmI(_req, ctx) {
      const p = ctx.values.get(principalKey) ?? { kind: "anonymous" as const };
      return create(WhoAmIResponseSchema, {
        kind: p.kind,
        name: p.kind === "anonymous" ? "" : p.name,
        role: p.kind === "user" ? p.role : p.kind === "anonymous" ? "admin" : "",
        keyId: p.kind === "key" ? p.id : "",
        permissions: [...permissionsOf(p)].sort(),
      });
    },
  };
}
