/** Request ids: taken from the client's X-Request-Id when it is sane, else generated. */
import { randomUUID } from "node:crypto";
import { createContextKey } from "@connectrpc/connect";

export const REQUEST_ID_HEADER = "x-request-id";

/** Context key holding the request id of an RPC. */
export const requestIdKey = createContextKey<string>("", { description: "request id" });

/** Returns the client's id if it is 1-128 safe characters, else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : randomUUID();
}

/** Context key holding the client's address (the TCP peer). */
export const clientAddressKey = createContextKey<string>("", { description: "client address" });
