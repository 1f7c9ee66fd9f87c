/**
 * Re-authentication for the most sensitive requests (the recovery kit): the caller must be a
 * signed-in admin user of the current config and enter their password again. An API key, a
 * non-admin or a daemon with authentication disabled is refused, whatever the interceptor let through.
 */
import type { Auth } from "../../gen/v1/config_pb.js";
import { PermissionDeniedError, ValidationError } from "../errors.js";
import { verifyPassword } from "./password.js";
import { roleOf } from "./permissions.js";
import type { Principal } from "./principal.js";

/**
 * Resolves with the admin's name when `principal` is a user who is an admin in `auth` and
 * `password` is their password. Rejects with ValidationError for an empty password and with
 * PermissionDeniedError otherwise, saying what to do.
 */
export async function confirmAdminPassword(
  auth: Auth | undefined,
  principal: Principal | undefined,
  password: string,
): Promise<string> {
  if (!principal || principal.kind === "anonymous" || auth?.disabled) {
    throw new PermissionDeniedError(
      "authentication is disabled, so nobody can be confirmed as an admin; enable authentication and sign in as an admin user",
    );
  }
  if (principal.kind !== "user") {
    throw new PermissionDeniedError(
      "an API key cannot do this; sign in as an admin user with your password",
    );
  }
  const user = auth?.users.find((u) => u.name === principal.name);
  if (!user || roleOf(user.role) !== "admin") {
    throw new PermissionDeniedError(
      `user "${principal.name}" is not an admin; sign in as an admin user`,
    );
  }
  if (!password) {
    throw new ValidationError([
      { path: "password", message: "must be your sign-in password, entered again" },
    ]);
  }
  const stored = user.password.case === "passwordBcrypt" ? user.password.value : "";
  if (!(await verifyPassword(password, stored))) {
    throw new PermissionDeniedError(
      "the password you entered again is wrong; enter your own sign-in password",
    );
  }
  return user.name;
}
