/** Whether an RPC is a sign-in attempt. */
import type { Interceptor } from "@connectrpc/connect";
import { Authentication } from "../../gen/v1/authentication_pb.js";

/** The RPC that signs in with credentials in its request body. */
export const LOGIN_RPC = `${Authentication.typeName}/${Authentication.method.login.name}`;

type Request = Parameters<Parameters<Interceptor>[0]>[0];

/** True when the request brings credentials: an Authorization header, or a Login request. */
export function sentCredentials(req: Request): boolean {
  return (
    req.header.has("authorization") || `${req.service.typeName}/${req.method.name}` === LOGIN_RPC
  );
}
