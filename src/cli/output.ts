/** Writing results: aligned tables for people, JSON for scripts. */
import { type DescMessage, type MessageShape, toJson } from "@bufbuild/protobuf";
import type { CliOutput } from "./context.js";

/** Writes rows under headers, columns padded to their widest cell (the last one is not). */
export function writeTable(out: CliOutput, headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  out.write(`${line(headers)}\n`);
  for (const row of rows) out.write(`${line(row)}\n`);
}

/** Writes a value as indented JSON. */
export function writeJson(out: CliOutput, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes a protobuf message as Connect JSON (the API's own JSON shape). */
export function writeMessage<D extends DescMessage>(
  out: CliOutput,
  schema: D,
  message: MessageShape<D>,
): void {
  writeJson(out, toJson(schema, message, { alwaysEmitImplicit: false }));
}
