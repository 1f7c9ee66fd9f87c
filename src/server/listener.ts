/**
 * One TCP port for HTTP/1.1 and cleartext HTTP/2 (h2c). Each connection's first bytes
 * decide: the HTTP/2 connection preface goes to the HTTP/2 server (gRPC, Connect over h2c),
 * anything else to the HTTP/1.1 server (curl, Connect JSON, gRPC-Web).
 */
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";

/** The start of the HTTP/2 client preface; no HTTP/1.1 request line starts this way. */
const PREFACE_START = Buffer.from("PRI * HTTP/2");

/** A request handler usable by both the HTTP/1.1 and the HTTP/2 server. */
export type AnyHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

export interface Listener {
  /** The bound address, e.g. { host: "127.0.0.1", port: 9898 }. */
  address(): { host: string; port: number };
  /** Stops accepting, ends idle connections and destroys the rest after graceMs. */
  close(graceMs?: number): Promise<void>;
}

/** Parses "host:port", ":port" or "[::1]:port". */
export function parseBindAddress(bind: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(bind.trim());
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new Error(`bind address "${bind}" is not host:port (e.g. 127.0.0.1:9898)`);
  }
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

/** Starts listening on `bind` and serves every connection with `handler`. */
export async function listen(bind: string, handler: AnyHandler): Promise<Listener> {
  const { host, port } = parseBindAddress(bind);
  const h1 = http.createServer(handler as http.RequestListener);
  // Long-running RPCs (a blocking Backup) must not be cut by Node's default request timeout.
  h1.requestTimeout = 0;
  h1.headersTimeout = 60_000;
  h1.keepAliveTimeout = 5_000;
  const h2 = http2.createServer(
    {},
    handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  );
  const sockets = new Set<net.Socket>();
  const h2Sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (s) => {
    h2Sessions.add(s);
    s.on("close", () => h2Sessions.delete(s));
  });

  // No Nagle delay: an answer's last small segment must not wait for the client's delayed ACK
  // (up to 40 ms per call on Linux). Node's HTTP servers set this for sockets they accept
  // themselves; these are accepted here and handed over.
  const tcp = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    route(socket, h1, h2);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(port, host, () => {
      tcp.off("error", reject);
      resolve();
    });
  });

  return {
    address() {
      const a = tcp.address() as net.AddressInfo;
      return { host: a.address, port: a.port };
    },
    async close(graceMs = 2_000) {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      h1.closeIdleConnections();
      for (const s of h2Sessions) s.close();
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/**
 * Reads just enough of the first bytes to tell HTTP/2 from HTTP/1.1, puts them back and hands
 * the socket over. Reading in paused mode ('readable' + read()) matters: both servers then find
 * the bytes in the socket's buffer; flowing-mode 'data' events would lose them.
 */
function route(socket: net.Socket, h1: http.Server, h2: http2.Http2Server): void {
  let head = Buffer.alloc(0);
  const onReadable = () => {
    for (;;) {
      const chunk = socket.read() as Buffer | null;
      if (!chunk) break;
      head = Buffer.concat([head, chunk]);
    }
    const n = Math.min(head.length, PREFACE_START.length);
    const maybeH2 = head.subarray(0, n).equals(PREFACE_START.subarray(0, n));
    if (head.length === 0 || (maybeH2 && head.length < PREFACE_START.length)) return; // need more bytes
    socket.off("readable", onReadable);
    socket.unshift(head);
    // Handed over on the next tick, once Node has settled the socket's reading mode after the
    // 'readable' listener is gone: handed over at once, the HTTP/1.1 server's late resume
    // undid its pause, and a request body nobody read was read from the socket unbounded
    // (no backpressure for a queued upload).
    process.nextTick(() => (maybeH2 ? h2 : h1).emit("connection", socket));
  };
  socket.on("readable", onReadable);
}
