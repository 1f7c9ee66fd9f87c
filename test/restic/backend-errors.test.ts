/**
 * Errors of remote backends as restic 0.14 reports them (stderr captured from real runs
 * against `rclone serve restic` and OpenSSH on loopback), and the messages users get.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { classifyFailure, resticErrorFor } from "../../src/restic/classify.js";

/** `restic backup` whose rest: server was SIGKILLed mid-upload (restic gave up after its retries). */
const KILLED_MID_BACKUP = [
  'Save(<data/5947675505>) returned error, retrying after 720.5ms: client.Post: Post "http://127.0.0.1:18765/data/5947675505a054365da056bac153d80743de410ec4edf3a3d5c40d665d729914": dial tcp 127.0.0.1:18765: connect: connection refused',
  'Remove(<lock/e40478a789>) returned error, retrying after 1.008204668s: client.Do: Delete "http://127.0.0.1:18765/locks/e40478a7893afbc2dfa774c1232ca4bf7a963d56b5e75e5d03b2b2ffcfa3cbd9": dial tcp 127.0.0.1:18765: connect: connection refused',
  // restic 0.14 prints its Fatal line right after the unlock error, without a newline.
  'error while unlocking: client.Do: Delete "http://127.0.0.1:18765/locks/e40478a7893afbc2dfa774c1232ca4bf7a963d56b5e75e5d03b2b2ffcfa3cbd9": dial tcp 127.0.0.1:18765: connect: connection refusedFatal: unable to save snapshot: client.Post: Post "http://127.0.0.1:18765/data/5947675505a054365da056bac153d80743de410ec4edf3a3d5c40d665d729914": dial tcp 127.0.0.1:18765: connect: connection refused',
  'Remove(<lock/e40478a789>) returned error, retrying after 716.423215ms: client.Do: Delete "http://127.0.0.1:18765/locks/e40478a7893afbc2dfa774c1232ca4bf7a963d56b5e75e5d03b2b2ffcfa3cbd9": dial tcp 127.0.0.1:18765: connect: connection refused',
  'error in cleanup handler: client.Do: Delete "http://127.0.0.1:18765/locks/e40478a7893afbc2dfa774c1232ca4bf7a963d56b5e75e5d03b2b2ffcfa3cbd9": dial tcp 127.0.0.1:18765: connect: connection refused',
  "",
].join("\n");

/** Any command while the rest: server is down. */
const SERVER_DOWN = [
  'Fatal: unable to open config file: client.Head: Head "http://127.0.0.1:18766/config": dial tcp 127.0.0.1:18766: connect: connection refused',
  "Is there a repository at the following location?",
  "rest:http://alice:***@127.0.0.1:18766/",
  "",
].join("\n");

/** rclone serve restic --user/--pass, and restic with the wrong server password in the URI. */
const HTTP_401 = [
  "Fatal: unable to open config file: unexpected HTTP response (401): 401 Unauthorized",
  "Is there a repository at the following location?",
  "rest:http://alice:***@127.0.0.1:18766/",
  "",
].join("\n");

/** sftp: with a key the server does not accept. */
const SSH_KEY_REFUSED = [
  "subprocess ssh: Warning: Permanently added '[127.0.0.1]:40123' (ED25519) to the list of known hosts.",
  "subprocess ssh: root@127.0.0.1: Permission denied (publickey).",
  "Fatal: unable to open repository at sftp:root@127.0.0.1:/tmp/restwell-sftp-x/repo: unable to start the sftp session, error: EOF",
  "",
].join("\n");

/** The same, when restic 0.14 exited before it relayed ssh's complaint (a race in restic). */
const SSH_GAVE_UP_SILENTLY = [
  "subprocess ssh: Warning: Permanently added '[127.0.0.1]:42645' (ED25519) to the list of known hosts.",
  "Fatal: unable to open repository at sftp:root@127.0.0.1:/tmp/restwell-sftp-x/repo: unable to start the sftp session, error: read |0: file already closed",
  "",
].join("\n");

const run = (subcommand: string, stderr: string) => ({
  subcommand,
  command: "restic",
  args: [subcommand],
  exitCode: 1,
  stderr,
});

describe("remote backend errors (restic 0.14)", () => {
  test("a backend that went away mid-backup: what failed, and to check the server", () => {
    assert.equal(classifyFailure(1, KILLED_MID_BACKUP), "backend-unreachable");
    const error = resticErrorFor(run("backup", KILLED_MID_BACKUP));
    assert.equal(error.kind, "backend-unreachable");
    // restic's Fatal line, not the lock-removal noise after it.
    assert.equal(
      error.message,
      "restic backup could not reach the repository's backend (unable to save snapshot: client.Post: Post \"http://127.0.0.1:18765/data/5947675505a054365da056bac153d80743de410ec4edf3a3d5c40d665d729914\": dial tcp 127.0.0.1:18765: connect: connection refused); check that the server in the repo's URI is running and reachable, then retry",
    );
  });

  test("a backend that is down is not mistaken for a missing repository", () => {
    // autoInitialize must never run `init` against a server it cannot reach.
    assert.equal(classifyFailure(1, SERVER_DOWN), "backend-unreachable");
    assert.match(resticErrorFor(run("cat config", SERVER_DOWN)).message, /connection refused\)/);
  });

  test("HTTP 401 from the server is refused credentials, not a wrong repository password", () => {
    assert.equal(classifyFailure(1, HTTP_401), "backend-unauthorized");
    const error = resticErrorFor(run("snapshots", HTTP_401));
    assert.equal(
      error.message,
      "the repository's backend refused restic's credentials (unable to open config file: unexpected HTTP response (401): 401 Unauthorized); check the user name and password or key for that server in the repo's URI, env or flags",
    );
  });

  test("an ssh key the sftp server refuses names ssh's complaint", () => {
    assert.equal(classifyFailure(1, SSH_KEY_REFUSED), "backend-unauthorized");
    assert.match(
      resticErrorFor(run("init", SSH_KEY_REFUSED)).message,
      /refused restic's credentials \(ssh: root@127\.0\.0\.1: Permission denied \(publickey\)\.\)/,
    );
  });

  test("an sftp session that did not start says what to try with ssh", () => {
    assert.equal(classifyFailure(1, SSH_GAVE_UP_SILENTLY), "failed");
    assert.equal(
      resticErrorFor(run("cat config", SSH_GAVE_UP_SILENTLY)).message,
      "restic cat config could not start an sftp session with the repository's server (unable to open repository at sftp:root@127.0.0.1:/tmp/restwell-sftp-x/repo: unable to start the sftp session, error: read |0: file already closed); check that ssh can log in to it without a prompt with the repo's user and key (run the ssh command by hand) and that the server offers sftp",
    );
  });

  test("the repository password still wins over backend patterns", () => {
    assert.equal(classifyFailure(1, "Fatal: wrong password or no key found\n"), "wrong-password");
  });
});
