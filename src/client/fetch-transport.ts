/**
 * Connect JSON over plain `fetch`, for browsers and Node alike, built from @connectrpc/connect's
 * protocol pieces so no other package is needed. Request bodies are sent as one buffer: the
 * API's calls are unary or server-streaming, and browsers cannot stream request bodies.
 */
import type { Transport } from "@connectrpc/connect";
import {
  type UniversalClientFn,
  universalClientResponseFromFetch,
} from "@connectrpc/connect/protocol";
import { createTransport } from "@connectrpc/connect/protocol-connect";

/** A Connect-protocol transport to `baseUrl` over `fetchFn`. */
export function createFetchTransport(baseUrl: string, fetchFn: typeof fetch): Transport {
  return createTransport({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    httpClient: fetchClient(fetchFn),
    useBinaryFormat: false,
    interceptors: [],
    // Compression would need zlib in Node; responses are small JSON.
    acceptCompression: [],
    sendCompression: null,
    compressMinBytes: 1024,
    readMaxBytes: 0xffffffff,
    writeMaxBytes: 0xffffffff,
  });
}

function fetchClient(fetchFn: typeof fetch): UniversalClientFn {
  return async (req) => {
    const res = await fetchFn(req.url, {
      method: req.method,
      headers: req.header,
      signal: req.signal,
      redirect: "error",
      body: req.body === undefined ? undefined : await concat(req.body),
    });
    return universalClientResponseFromFetch(res);
  };
}

async function concat(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    length += chunk.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
