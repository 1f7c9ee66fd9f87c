/**
 * The daemon's API as typed clients over one Connect transport (binary protobuf). This is the
 * only way the UI talks to the daemon. Every call carries this tab's session; a call refused
 * as unauthenticated ends the session, so the app shows the sign-in page.
 */
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ApiKeys } from "../../../gen/v1/access_pb";
import { Authentication } from "../../../gen/v1/authentication_pb";
import { Backrest } from "../../../gen/v1/service_pb";
import { authorizationHeader, getSession, setSession } from "./session";

/** Methods that must not end the session when they answer "unauthenticated". */
const SIGN_IN_METHODS = new Set(["Login"]);

const authenticate: Interceptor = (next) => async (req) => {
  const header = authorizationHeader();
  if (header) req.header.set("Authorization", header);
  try {
    return await next(req);
  } catch (err) {
    const signedIn = getSession() !== undefined;
    if (
      signedIn &&
      header !== undefined &&
      header === authorizationHeader() &&
      ConnectError.from(err).code === Code.Unauthenticated &&
      !SIGN_IN_METHODS.has(req.method.name)
    ) {
      setSession(undefined);
    }
    throw err;
  }
};

/**
 * The browser must never show its own password dialog for the daemon's Basic challenge:
 * calls go without ambient credentials (`credentials: "omit"`), so a 401 is only an error.
 */
const fetchWithoutAmbientCredentials: typeof fetch = (input, init) =>
  fetch(input, { ...init, credentials: "omit" });

/** The transport every client shares. */
export const transport = createConnectTransport({
  baseUrl: window.location.origin,
  useBinaryFormat: true,
  interceptors: [authenticate],
  fetch: fetchWithoutAmbientCredentials,
});

/** v1.Backrest: config, operations, snapshots, tasks. */
export const backrest = createClient(Backrest, transport);
/** v1.Authentication: Login, WhoAmI, HashPassword. */
export const authentication = createClient(Authentication, transport);
/** v1.ApiKeys. */
export const apiKeys = createClient(ApiKeys, transport);
