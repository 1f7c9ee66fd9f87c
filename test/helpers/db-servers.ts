/**
 * Real database servers for tests, on loopback only: a private PostgreSQL (initdb into a temp
 * folder) and a private MariaDB (mariadb-install-db), both from Debian's packages, each
 * started on a free port with a password-protected user, and stopped when the test file ends.
 * A server that cannot start fails the test (never a skip); a missing package is named.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { execa, type ResultPromise } from "execa";
import { freePort, requireProgram } from "./backends.js";
import { tempDir } from "./temp.js";

/** How long a server may take to accept connections after it was started. */
const START_TIMEOUT_MS = 60_000;

const BASE_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
};

/** A database server the test started. */
export interface DbServer {
  host: string;
  port: number;
  /** A user with a password that may create and drop databases. */
  user: string;
  password: string;
  /**
   * Runs SQL as the server's administrator (over the private socket) in `database`, and
   * resolves with the client's stdout (tab-separated rows, no headers). Rejects on errors.
   */
  sql(database: string, sql: string): Promise<string>;
  /** Creates an empty database owned by `user`. */
  createDatabase(name: string): Promise<void>;
}

/** uid and gid of a system account (e.g. postgres), from `id`. */
function account(name: string): { uid: number; gid: number } {
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, name], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a server in the background; its output is kept (the last 8 KB) for error messages. */
function launch(
  command: string,
  args: string[],
  ids?: { uid: number; gid: number },
): { child: ResultPromise; output: () => string } {
  let output = "";
  const child = execa(command, args, {
    env: BASE_ENV,
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    buffer: false,
    cleanup: true,
    ...(ids ?? {}),
  });
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-8192);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output: () => output };
}

/** Stops a server with `signal` and waits for it (SIGKILL after 20 s). */
async function stop(child: ResultPromise, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await child;
  clearTimeout(timer);
}

/** Retries `probe` until it resolves true; fails when `child` exits first or time runs out. */
async function waitUntil(
  probe: () => Promise<boolean>,
  child: ResultPromise,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  for (;;) {
    if (await probe()) return;
    if (exited) throw new Error(`${what()} exited before it accepted connections`);
    if (Date.now() > deadline)
      throw new Error(`${what()} did not accept connections within ${START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The bin folder of the newest PostgreSQL server installed by Debian's packages. */
function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0])
    throw new Error(
      "no PostgreSQL server is installed, and the database source tests need one: install Debian's postgresql (apt-get install -y postgresql), or run 'make test' or .ci/run, which install it",
    );
  return join(root, versions[0], "bin");
}

/**
 * Starts a private PostgreSQL on 127.0.0.1:<free port>, with `app` (password
 * authentication, CREATEDB) as the test's user; local socket connections are trusted for the
 * test's own administration. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` account on a folder it owns.
 */
export async function startPostgres(): Promise<DbServer> {
  const bin = postgresBinDir();
  requireProgram("psql", "postgresql-client");
  const dir = tempDir("restwell-pg-");
  const ids = isRoot() ? account("postgres") : undefined;
  const data = join(dir, "data");
  const password = "pg-Pa55 w0rd'\"$!";
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const init = await execa(
    join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8"],
    { env: BASE_ENV, extendEnv: false, reject: false, ...(ids ?? {}) },
  );
  if (init.exitCode !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
  const port = await freePort();
  const server = launch(
    join(bin, "postgres"),
    ["-D", data, "-k", dir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"],
    ids,
  );
  after(() => stop(server.child, "SIGINT"));
  const psql = (database: string, sql: string) =>
    execa(
      "psql",
      ["-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", dir, "-p", String(port)],
      {
        env: { ...BASE_ENV, PGUSER: "postgres", PGDATABASE: database },
        extendEnv: false,
        input: sql,
        reject: false,
      },
    );
  await waitUntil(
    async () => (await psql("postgres", "SELECT 1")).exitCode === 0,
    server.child,
    () => `postgres:\n${server.output()}`,
  );
  const sql = async (database: string, text: string) => {
    const r = await psql(database, text);
    if (r.exitCode !== 0) throw new Error(`psql failed in ${database}: ${r.stderr}`);
    return r.stdout;
  };
  const quoted = password.replaceAll("'", "''");
  await sql("postgres", `CREATE ROLE app LOGIN CREATEDB PASSWORD '${quoted}'`);
  return {
    host: "127.0.0.1",
    port,
    user: "app",
    password,
    sql,
    createDatabase: async (name) => {
      await sql("postgres", `CREATE DATABASE "${name}" OWNER app ENCODING 'UTF8'`);
    },
  };
}

/**
 * Starts a private MariaDB on 127.0.0.1:<free port>, with `app` (password authentication,
 * all privileges) as the test's user; root connects over the private socket for the test's
 * own administration. As root, the server runs as the `mysql` account.
 */
export async function startMariaDb(): Promise<DbServer> {
  const mariadbd = requireProgram("mariadbd", "mariadb-server", ["/usr/sbin"]);
  const installDb = requireProgram("mariadb-install-db", "mariadb-server");
  requireProgram("mariadb", "mariadb-client");
  const dir = tempDir("restwell-mariadb-");
  const ids = isRoot() ? account("mysql") : undefined;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const data = join(dir, "data");
  const socket = join(dir, "mysqld.sock");
  const password = "my-Pa55 w0rd'\"$!";
  const userFlag = ids ? ["--user=mysql"] : [];
  const install = await execa(
    installDb,
    [
      "--no-defaults",
      `--datadir=${data}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      ...userFlag,
    ],
    { env: BASE_ENV, extendEnv: false, reject: false },
  );
  if (install.exitCode !== 0)
    throw new Error(`mariadb-install-db failed:\n${install.stdout}\n${install.stderr}`);
  const port = await freePort();
  const server = launch(mariadbd, [
    "--no-defaults",
    `--datadir=${data}`,
    `--socket=${socket}`,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    `--pid-file=${join(dir, "mariadbd.pid")}`,
    "--innodb-buffer-pool-size=32M",
    "--skip-name-resolve",
    ...userFlag,
  ]);
  after(() => stop(server.child, "SIGTERM"));
  const client = (database: string, sql: string) =>
    execa(
      "mariadb",
      [
        "--no-defaults",
        "-S",
        socket,
        "-u",
        "root",
        "-B",
        "-N",
        "--default-character-set=utf8mb4",
        ...(database ? [database] : []),
      ],
      { env: BASE_ENV, extendEnv: false, input: sql, reject: false },
    );
  await waitUntil(
    async () => (await client("", "SELECT 1")).exitCode === 0,
    server.child,
    () => `mariadbd:\n${server.output()}`,
  );
  const sql = async (database: string, text: string) => {
    const r = await client(database, text);
    if (r.exitCode !== 0) throw new Error(`mariadb failed in ${database || "(none)"}: ${r.stderr}`);
    return r.stdout;
  };
  const quoted = password.replaceAll("\\", "\\\\").replaceAll("'", "\\'");
  await sql(
    "",
    `CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY '${quoted}'; GRANT ALL PRIVILEGES ON *.* TO 'app'@'127.0.0.1';`,
  );
  return {
    host: "127.0.0.1",
    port,
    user: "app",
    password,
    sql,
    createDatabase: async (name) => {
      await sql("", `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    },
  };
}

/** Writes `text` into a new file in a temp folder (e.g. a password file) and returns its path. */
export function writeTempFile(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}
