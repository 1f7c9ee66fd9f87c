/**
 * The baseline of the throughput benchmark: a bare Node.js HTTP server that reads each request
 * and answers it with a fixed body, looked up by the request's path and body in a JSON file of
 * { "<path>\n<body>": answer } (the very bytes the daemon answered). Prints "listening <port>"
 * once it listens on 127.0.0.1.
 *   node --import tsx bench/lib/bare-server.ts <answers.json>
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const file = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as Record<string, string>;
const answers = new Map(Object.entries(file).map(([key, body]) => [key, Buffer.from(body)]));

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = answers.get(`${req.url}\n${Buffer.concat(chunks).toString("utf8")}`);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
