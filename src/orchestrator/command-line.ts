/**
 * Splits a command line into arguments the way a POSIX shell would for quoting (single and
 * double quotes, backslash escapes), without running a shell: no expansion, no pipes.
 */
import { ValidationError } from "../errors.js";

export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = "";
  let inArg = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inArg = true;
    } else if (c === "\\" && i + 1 < line.length) {
      current += line[++i];
      inArg = true;
    } else if (/\s/.test(c)) {
      if (inArg) args.push(current);
      current = "";
      inArg = false;
    } else {
      current += c;
      inArg = true;
    }
  }
  if (quote)
    throw new ValidationError([{ path: "command", message: `has an unclosed ${quote} quote` }]);
  if (inArg) args.push(current);
  return args;
}
