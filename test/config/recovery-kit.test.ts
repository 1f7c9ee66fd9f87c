/** The recovery kit's text: what it holds, its file name, and commands bash reads back exactly. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../../gen/v1/config_pb.js";
import { buildRecoveryKit, repoCommands, shellQuote } from "../../src/config/recovery-kit.js";

const NOW = Date.UTC(2026, 10, 22, 13, 5, 0);
const TRICKY_PASSWORD = `it's $HOME "quoted" \`cmd\` \\ ; rm -rf /`;

function config(): Config {
  return create(ConfigSchema, {
    instance: "my host/01",
    repos: [
      {
        id: "s3-main",
        uri: "s3:https://s3.example.com/bucket/restic",
        guid: "0123abcd",
        password: TRICKY_PASSWORD,
        env: [
          "AWS_ACCESS_KEY_ID=AKIA-kit-test",
          "AWS_SECRET_ACCESS_KEY=s3cr3t/with'quote",
          "bad-name=x",
        ],
        flags: ["--limit-upload", "100", "-o", "s3.storage-class=STANDARD"],
      },
      { id: "local", uri: "/srv/backups/local repo", password: "plain-pw" },
      { id: "from-file", uri: "/srv/f", env: ["RESTIC_PASSWORD_FILE=/etc/restic/pw"] },
    ],
    plans: [
      { id: "home", repo: "local", paths: ["/home"] },
      { id: "etc", repo: "local", paths: ["/etc", "/root"] },
    ],
  });
}

/** Runs `lines` in bash and returns the listed variables as bash sees them. */
function evalInBash(lines: string[], names: string[]): Record<string, string> {
  const script = `${lines.join("\n")}\nprintf '%s\\0' ${names.map((n) => `"$${n}"`).join(" ")}`;
  const out = execFileSync("bash", ["-c", script], { env: { PATH: "/usr/bin:/bin" } }).toString();
  const values = out.split("\0").slice(0, names.length);
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? ""]));
}

describe("recovery kit", () => {
  it("names the file after the instance and the day", () => {
    assert.equal(
      buildRecoveryKit(config(), NOW).filename,
      "restwell-recovery-kit-my-host-01-2026-11-22.txt",
    );
    const unnamed = create(ConfigSchema, { instance: "///" });
    assert.equal(
      buildRecoveryKit(unnamed, NOW).filename,
      "restwell-recovery-kit-restwell-2026-11-22.txt",
    );
  });

  it("holds the instance, the date, a warning and every repo's URI, password, env and flags", () => {
    const { content } = buildRecoveryKit(config(), NOW);
    assert.match(content, /^RESTWELL RECOVERY KIT\n/);
    assert.match(content, /Instance: my host\/01\n/);
    assert.match(content, /Created: {2}2026-11-22T13:05:00\.000Z\n/);
    assert.match(content, /WARNING: this file holds the passwords/);
    assert.match(content, /keep it offline/);
    for (const text of [
      'Repository "s3-main"',
      "URI:           s3:https://s3.example.com/bucket/restic",
      `Password:      ${TRICKY_PASSWORD}`,
      "Repository id: 0123abcd",
      "  AWS_ACCESS_KEY_ID=AKIA-kit-test",
      "  AWS_SECRET_ACCESS_KEY=s3cr3t/with'quote",
      "Flags:         --limit-upload 100 -o s3.storage-class=STANDARD",
      'Repository "local"',
      "Password:      plain-pw",
      "Plan:          home (/home)",
      "Plan:          etc (/etc, /root)",
      "restic snapshots",
      "restic restore latest --target ./restore-local",
      "restic restore latest --tag plan:home --target ./restore-local-home",
      "mkdir -p ./mnt-local && restic mount ./mnt-local",
    ]) {
      assert.ok(content.includes(text), `missing ${JSON.stringify(text)}`);
    }
  });

  it("says where a password kept outside the config comes from, and exports no empty password", () => {
    const { content } = buildRecoveryKit(config(), NOW);
    const section = content.slice(content.indexOf('Repository "from-file"'));
    assert.match(section, /Password: {6}\(not in the config/);
    assert.match(section, /keep a copy of that file with this kit/);
    assert.match(section, /export RESTIC_PASSWORD_FILE=\/etc\/restic\/pw/);
    assert.doesNotMatch(section, /export RESTIC_PASSWORD=/);
  });

  it("exports that bash reads back to exactly the stored values", () => {
    const repo = config().repos[0];
    assert.ok(repo);
    const lines = repoCommands(repo, []).filter((l) => l.startsWith("export "));
    assert.equal(lines.length, 4, "repository, password and the two valid env names");
    assert.deepEqual(
      evalInBash(lines, [
        "RESTIC_REPOSITORY",
        "RESTIC_PASSWORD",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
      ]),
      {
        RESTIC_REPOSITORY: "s3:https://s3.example.com/bucket/restic",
        RESTIC_PASSWORD: TRICKY_PASSWORD,
        AWS_ACCESS_KEY_ID: "AKIA-kit-test",
        AWS_SECRET_ACCESS_KEY: "s3cr3t/with'quote",
      },
    );
  });

  it("puts the repo's flags on every restic command as separate words", () => {
    const repo = config().repos[0];
    assert.ok(repo);
    const commands = repoCommands(repo, []).filter((l) => !l.startsWith("export "));
    for (const command of commands) {
      assert.match(command, /restic --limit-upload 100 -o s3\.storage-class=STANDARD /);
    }
    assert.equal(shellQuote("a b"), "'a b'");
    assert.equal(shellQuote(""), "''");
  });

  it("says so when there are no repositories", () => {
    const { content } = buildRecoveryKit(create(ConfigSchema, { instance: "x" }), NOW);
    assert.match(content, /There are no repositories in the config\./);
  });
});
