/** The logger's buffered lines: batches in order, warnings and errors at once, nothing lost at exit. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { bufferedLines, createLogger } from "../src/log.js";

/** Timers the test fires by hand. */
function manualTimers() {
  const due: (() => void)[] = [];
  return {
    setTimer: (fn: () => void) => {
      due.push(fn);
      return () => {
        const i = due.indexOf(fn);
        if (i >= 0) due.splice(i, 1);
      };
    },
    fire: () => {
      for (const fn of due.splice(0)) fn();
    },
    pending: () => due.length,
  };
}

describe("bufferedLines", () => {
  it("writes nothing until its timer fires, then every line in order in one write", () => {
    const writes: string[] = [];
    const timers = manualTimers();
    const lines = bufferedLines((text) => writes.push(text), { setTimer: timers.setTimer });
    lines("one");
    lines("two");
    assert.deepEqual(writes, []);
    assert.equal(timers.pending(), 1, "one timer for the whole batch");
    timers.fire();
    assert.deepEqual(writes, ["one\ntwo\n"]);
    timers.fire();
    assert.deepEqual(writes, ["one\ntwo\n"], "nothing more to write");
  });

  it("writes at once when the buffer is full", () => {
    const writes: string[] = [];
    const timers = manualTimers();
    const lines = bufferedLines((text) => writes.push(text), {
      setTimer: timers.setTimer,
      maxChars: 10,
    });
    lines("12345");
    assert.deepEqual(writes, []);
    lines("67890");
    assert.deepEqual(writes, ["12345\n67890\n"]);
    assert.equal(timers.pending(), 0, "the flush cancelled the timer");
  });

  it("flushes on demand and survives a failing output", () => {
    const writes: string[] = [];
    let fail = true;
    const lines = bufferedLines(
      (text) => {
        if (fail) throw new Error("stderr closed");
        writes.push(text);
      },
      { setTimer: manualTimers().setTimer },
    );
    lines("lost");
    assert.doesNotThrow(() => lines.flush());
    fail = false;
    lines("kept");
    lines.flush();
    assert.deepEqual(writes, ["kept\n"]);
  });
});

describe("createLogger", () => {
  it("flushes its writer after warnings and errors, with the lines before them", () => {
    const writes: string[] = [];
    const timers = manualTimers();
    const log = createLogger(
      "debug",
      bufferedLines((text) => writes.push(text), { setTimer: timers.setTimer }),
    );
    log.info("rpc", { method: "v1.Backrest/GetConfig", requestId: "r1" });
    log.debug("detail");
    assert.equal(writes.length, 0);
    log.warn("something odd", { reason: "a b" });
    assert.equal(writes.length, 1);
    const [info, debug, warn] = (writes[0] as string).trimEnd().split("\n");
    assert.match(info as string, / INFO rpc method=v1\.Backrest\/GetConfig requestId=r1$/);
    assert.match(debug as string, / DEBUG detail$/);
    assert.match(warn as string, / WARN something odd reason="a b"$/);
    log.info("later");
    log.flush();
    assert.match(writes[1] as string, / INFO later\n$/);
  });
});

describe("the default stderr logger", () => {
  /** Runs a script with the daemon's logger; returns its stderr. */
  const run = (body: string) => {
    const logModule = join(import.meta.dirname, "..", "src", "log.ts");
    const script = `import { createLogger } from ${JSON.stringify(logModule)};
      const log = createLogger("info");
      for (let i = 0; i < 1000; i++) log.info("rpc", { n: i });
      ${body}`;
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    return child.stderr;
  };
  const count = (stderr: string) =>
    stderr.split("\n").filter((l) => / INFO rpc n=\d+$/.test(l)).length;

  it("writes every buffered line when the process exits", () => {
    assert.equal(count(run("")), 1000);
    assert.equal(count(run("process.exit(3);")), 1000);
  });

  it("writes every buffered line before an uncaught exception's report", () => {
    const stderr = run('setImmediate(() => { throw new Error("boom"); });');
    assert.equal(count(stderr), 1000);
    assert.ok(stderr.indexOf("n=999") < stderr.indexOf("Error: boom"), "log lines first");
  });

  it("keeps the order of warnings among the lines", () => {
    const stderr = run('log.error("failed", { n: "x" }); log.info("rpc", { n: 1000 });');
    const lines = stderr.trimEnd().split("\n");
    assert.match(lines[1000] as string, / ERROR failed n=x$/);
    assert.match(lines[1001] as string, / INFO rpc n=1000$/);
  });
});

describe("createLogger", () => {
  it("writes the time, the level, the message and the fields, quoting values that need it", () => {
    const lines: string[] = [];
    const log = createLogger("debug", (line) => lines.push(line));
    const before = Date.now();
    log.info("rpc", {
      method: "v1.Backrest/GetConfig",
      ms: 3,
      skipped: undefined,
      note: 'a "b"=c',
    });
    log.debug("second");
    const after = Date.now();
    const [first, second] = lines;
    const m = /^(\S+) INFO rpc method=v1\.Backrest\/GetConfig ms=3 note="a \\"b\\"=c"$/.exec(
      first ?? "",
    );
    assert.ok(m, first);
    const at = Date.parse(m[1] ?? "");
    assert.ok(at >= before && at <= after, `${m[1]} is the time of the call`);
    assert.match(second ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z DEBUG second$/);
  });

  it("drops lines below its level", () => {
    const lines: string[] = [];
    const log = createLogger("warn", (line) => lines.push(line));
    log.info("quiet");
    log.warn("loud");
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? "", / WARN loud$/);
  });
});
