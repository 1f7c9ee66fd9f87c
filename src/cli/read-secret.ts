/** Reading a password without it ever being on the command line. */
import type { CliContext } from "./context.js";
import { CliError, EXIT } from "./context.js";

/**
 * Reads a secret: from a terminal, prompts on stderr with echo off (`confirm` asks twice);
 * otherwise takes the first line of stdin. An empty secret is an error.
 */
export async function readSecret(
  ctx: CliContext,
  prompt: string,
  opts: { confirm?: boolean } = {},
): Promise<string> {
  if (ctx.stdin.isTTY && ctx.stdin.setRawMode) {
    const first = await promptHidden(ctx, prompt);
    if (first === "") throw new CliError("the password is empty", EXIT.USAGE);
    if (opts.confirm && (await promptHidden(ctx, "Again: ")) !== first)
      throw new CliError("the passwords do not match; try again", EXIT.USAGE);
    return first;
  }
  const line = await firstLine(ctx);
  if (line === "")
    throw new CliError("no password on stdin; pipe it in (e.g. from a file)", EXIT.USAGE);
  return line;
}

/** The first line of stdin, without its line ending. */
async function firstLine(ctx: CliContext): Promise<string> {
  let text = "";
  for await (const chunk of ctx.stdin) {
    text += chunk.toString();
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/)[0] ?? "";
}

/** Reads keystrokes in raw mode until Enter; Ctrl-C aborts, Backspace deletes. */
function promptHidden(ctx: CliContext, prompt: string): Promise<string> {
  const { stdin, stderr } = ctx;
  stderr.write(prompt);
  stdin.setRawMode?.(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (err?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003") return finish(new CliError("cancelled", EXIT.FAILED));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
