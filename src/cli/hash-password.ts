/** `restwell hash-password`: the value for auth.users[].passwordBcrypt, computed here. */
import { hashPassword } from "../auth/password.js";
import { COMMON_HELP, parseCommand } from "./args.js";
import { type Command, printHelp, wantsJson } from "./command.js";
import { EXIT } from "./context.js";
import { writeJson } from "./output.js";
import { readSecret } from "./read-secret.js";

const HELP = `Usage: restwell hash-password [options]

Reads a password (asked for twice on a terminal, else the first line of stdin) and prints the
base64 bcrypt hash to put in auth.users[].passwordBcrypt. Works without a daemon; the password
is never taken from the command line.

  echo -n 'a long password' | restwell hash-password

Options:
${COMMON_HELP}`;

export const hashPasswordCommand: Command = {
  name: "hash-password",
  help: HELP,
  async run(args, ctx) {
    const parsed = parseCommand(args, {}, HELP, { min: 0, max: 0 });
    if (parsed === "help") return printHelp(ctx, HELP);
    const password = await readSecret(ctx, "Password: ", { confirm: true });
    const hash = await hashPassword(password);
    if (wantsJson(parsed.values)) writeJson(ctx.stdout, { passwordBcrypt: hash });
    else ctx.stdout.write(`${hash}\n`);
    return EXIT.OK;
  },
};
