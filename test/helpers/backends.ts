/**
 * Real remote backends for end-to-end tests, on loopback only: rclone's restic REST server
 * (`rest:`) and a private OpenSSH server (`sftp:`), both from Debian's packages. Each runs as
 * a child of the test process on a free port and is killed when the test file ends. Fault
 * tests kill, pause (SIGSTOP) and restart them.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { userInfo } from "node:os";
import { delimiter, join } from "node:path";
import { after } from "node:test";
import { execa, type ResultPromise } from "execa";
import { tempDir } from "./temp.js";

/** How long a backend may take to accept connections after it was started. */
const START_TIMEOUT_MS = 15_000;

/**
 * The absolute path of `program` (searched on PATH, then in `extraDirs`). Throws, saying how
 * to install it, when it is missing: the remote-backend tests are never skipped.
 */
export function requireProgram(program: string, aptPackage: string, extraDirs: string[] = []) {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(
    `${program} is not installed, and the remote repository tests need it: install Debian's ${aptPackage} (apt-get install -y ${aptPackage}), or run 'make test' or .ci/run, which install it`,
  );
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port was assigned");
  return address.port;
}

/** Resolves once 127.0.0.1:`port` accepts a connection; rejects if `child` exits first or time runs out. */
async function waitForPort(port: number, child: ResultPromise, what: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`${what()} exited before it accepted connections`);
    if (await accepts(port)) return;
    if (Date.now() > deadline)
      throw new Error(`${what()} did not accept connections within ${START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A backend process the test controls. */
interface Managed {
  child: ResultPromise;
  output: string;
}

function launch(command: string, args: string[]): Managed {
  const child = execa(command, args, {
    reject: false,
    stdin: "ignore",
    buffer: false,
    cleanup: true,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
    extendEnv: false,
  });
  const managed: Managed = { child, output: "" };
  const keep = (b: Buffer) => {
    managed.output = (managed.output + b.toString()).slice(-8192);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return managed;
}

/** Sends `signal` to the process and waits until it has exited (SIGKILL after 5 s). */
async function end(managed: Managed, signal: NodeJS.Signals): Promise<void> {
  if (managed.child.exitCode !== null || managed.child.signalCode !== null) return;
  // A stopped process would not act on SIGTERM until continued.
  managed.child.kill("SIGCONT");
  managed.child.kill(signal);
  const timer = setTimeout(() => managed.child.kill("SIGKILL"), 5000);
  await managed.child;
  clearTimeout(timer);
}

/** `rclone serve restic` on 127.0.0.1 serving a folder. */
export interface RestBackend {
  /** The repository URI: rest:http://127.0.0.1:PORT/ (with user:pass@ when given). */
  uri: string;
  /** The same URI with other credentials, e.g. to be refused. */
  uriWith(user: string, pass: string): string;
  port: number;
  /** The folder the repository's files are in. */
  dir: string;
  /** SIGKILL: the server vanishes mid-request, like a crashed NAS. */
  kill(): Promise<void>;
  /** Starts the server again on the same folder and port; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** SIGSTOP: connections are accepted by the kernel but never answered. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

/**
 * Starts rclone's REST server for restic on a free loopback port. `bwlimit` (rclone's
 * --bwlimit, e.g. "20M") slows transfers so a test can act in the middle of one; `user` and
 * `pass` turn on HTTP basic authentication.
 */
export async function startRestBackend(
  opts: { bwlimit?: string; user?: string; pass?: string } = {},
): Promise<RestBackend> {
  const rclone = requireProgram("rclone", "rclone");
  const dir = join(tempDir("restwell-rest-"), "repo");
  mkdirSync(dir);
  const port = await freePort();
  const args = [
    "serve",
    "restic",
    "--addr",
    `127.0.0.1:${port}`,
    // No rclone.conf is needed; pointing at an empty one keeps rclone from looking in $HOME.
    "--config",
    "/dev/null",
    ...(opts.bwlimit ? ["--bwlimit", opts.bwlimit] : []),
    ...(opts.user ? ["--user", opts.user, "--pass", opts.pass ?? ""] : []),
    dir,
  ];
  let current = launch(rclone, args);
  after(() => end(current, "SIGKILL"));
  const started = () => waitForPort(port, current.child, () => `rclone:\n${current.output}`);
  await started();
  const uriWith = (user: string, pass: string) =>
    `rest:http://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}/`;
  return {
    uri: opts.user ? uriWith(opts.user, opts.pass ?? "") : `rest:http://127.0.0.1:${port}/`,
    uriWith,
    port,
    dir,
    kill: () => end(current, "SIGKILL"),
    async restart() {
      await end(current, "SIGKILL");
      current = launch(rclone, args);
      await started();
    },
    pause: () => void current.child.kill("SIGSTOP"),
    resume: () => void current.child.kill("SIGCONT"),
  };
}

/** A private OpenSSH server on 127.0.0.1 that serves sftp to one temporary key. */
export interface SftpBackend {
  /** sftp:USER@127.0.0.1:/path/to/repo */
  uri: string;
  /** Repo flags that make restic's ssh use this server's port and key. */
  flags: string[];
  /** The same flags with a key the server does not accept. */
  strangerFlags: string[];
  /** The folder of the repository. */
  dir: string;
}

/**
 * Starts `sshd -D` with its own config, host key and authorized key on a free loopback
 * port (as the current user; root may log in with the key only). The repository lives in
 * a temp folder; restic reaches it through `-o sftp.command=...` in the repo's flags.
 */
export async function startSftpBackend(): Promise<SftpBackend> {
  const sshd = requireProgram("sshd", "openssh-server", ["/usr/sbin", "/sbin"]);
  const sshKeygen = requireProgram("ssh-keygen", "openssh-client");
  requireProgram("ssh", "openssh-client");
  const home = tempDir("restwell-sftp-");
  const port = await freePort();
  const user = userInfo().username;
  for (const key of ["host_key", "client_key", "stranger_key"]) {
    execFileSync(sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-f", join(home, key)]);
  }
  execFileSync("cp", [join(home, "client_key.pub"), join(home, "authorized_keys")]);
  const config = join(home, "sshd_config");
  writeFileSync(
    config,
    [
      "ListenAddress 127.0.0.1",
      `Port ${port}`,
      `HostKey ${join(home, "host_key")}`,
      `AuthorizedKeysFile ${join(home, "authorized_keys")}`,
      "PidFile none",
      // The key files live in a temp folder whose modes sshd would otherwise refuse.
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin prohibit-password",
      "Subsystem sftp internal-sftp",
      "LogLevel ERROR",
      "",
    ].join("\n"),
  );
  // sshd started as root needs its privilege separation folder (the ssh service makes it at boot).
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });
  // sshd re-executes itself, so it must be started by absolute path.
  const server = launch(sshd, ["-D", "-e", "-f", config]);
  after(() => end(server, "SIGTERM"));
  await waitForPort(port, server.child, () => `sshd:\n${server.output}`);
  const dir = join(home, "repo");
  const flagsFor = (key: string) => {
    const ssh = [
      "ssh",
      `-p ${port}`,
      `-i ${join(home, key)}`,
      // Only the client's own identity file, not whatever the user's agent offers.
      "-o IdentitiesOnly=yes",
      "-o StrictHostKeyChecking=no",
      "-o UserKnownHostsFile=/dev/null",
      "-o BatchMode=yes",
      `${user}@127.0.0.1`,
      "-s sftp",
    ].join(" ");
    return ["-o", `sftp.command=${ssh}`];
  };
  return {
    uri: `sftp:${user}@127.0.0.1:${dir}`,
    flags: flagsFor("client_key"),
    strangerFlags: flagsFor("stranger_key"),
    dir,
  };
}

/**
 * Runs restic directly (not through the daemon) against a remote repository, to check what
 * the daemon did. No cache, bounded in time; never rejects (look at exitCode).
 */
export function resticAt(
  repo: { uri: string; flags?: string[] },
  args: string[],
  password: string,
) {
  return execa("restic", [...(repo.flags ?? []), "--no-cache", ...args], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      RESTIC_REPOSITORY: repo.uri,
      RESTIC_PASSWORD: password,
    },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
}
