/** Loading a dump into a database with its client, and counting what a database holds. */
import { watchInput } from "../restic/run.js";
import { countInvocation, loadInvocation } from "./commands.js";
import { DatabaseToolError } from "./errors.js";
import { runTool, stoppedError, type ToolContext, toolError } from "./run-tool.js";
import type { DatabaseConnection, ToolCallOptions } from "./types.js";

/** Destroys a stream when it can be (stopping whatever produces it, e.g. restic dump). */
export function destroy(stream: NodeJS.ReadableStream): void {
  const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
  s.destroy?.();
}

/** Runs the load tool of `conn` on `input` (into `file` for SQLite's staging file). */
export async function loadWithTool(
  ctx: ToolContext,
  conn: DatabaseConnection,
  input: NodeJS.ReadableStream,
  opts: ToolCallOptions,
  file?: string,
): Promise<void> {
  // The load tool is stopped while it still waits for input: closing its stdin instead
  // would look like the end of the dump, and psql would commit a truncated load.
  const watch = watchInput(input, "the dump's input");
  const signal = opts.signal ? AbortSignal.any([opts.signal, watch.signal]) : watch.signal;
  const what = `loading the dump into "${conn.database}"`;
  try {
    const result = await runTool(ctx, {
      invocation: loadInvocation(conn, file),
      signal,
      onLog: opts.onLog,
      stdinFrom: input,
    });
    if (watch.signal.aborted) throw watch.signal.reason;
    if (result.outcome.cancelled) throw stoppedError(what);
    if (result.outcome.exitCode !== 0) throw toolError(result, `${what} failed`);
  } catch (error) {
    destroy(input);
    throw error;
  } finally {
    watch.dispose();
  }
}

/** Counts the tables and views of a PostgreSQL or MySQL database (see DatabaseTools.countTables). */
export async function countServerTables(
  ctx: ToolContext,
  conn: DatabaseConnection,
  opts: ToolCallOptions = {},
): Promise<number> {
  const what = `reading the tables of "${conn.database}"`;
  const result = await runTool(ctx, {
    invocation: countInvocation(conn),
    signal: opts.signal,
    onLog: opts.onLog,
  });
  if (result.outcome.cancelled) throw stoppedError(what);
  if (result.outcome.exitCode !== 0) throw toolError(result, `${what} failed`);
  const count = Number(result.outcome.stdout.trim());
  if (!Number.isSafeInteger(count)) {
    throw new DatabaseToolError(
      result.program,
      0,
      "",
      `${what} failed: ${result.program} printed "${result.outcome.stdout.trim().slice(0, 100)}" instead of a number`,
    );
  }
  return count;
}
