/** The progress bar and lines of `restwell backup`, and the number formats they use. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { BackupProgressStatusEntrySchema } from "../../gen/v1/restic_pb.js";
import type { CliOutput } from "../../src/cli/context.js";
import { formatBytes, formatDuration } from "../../src/cli/format.js";
import {
  createProgressReporter,
  progressBar,
  progressFigures,
  progressText,
} from "../../src/cli/progress.js";

const MiB = 1024 * 1024;

function status(fields: MessageInitShape<typeof BackupProgressStatusEntrySchema>) {
  return create(BackupProgressStatusEntrySchema, fields);
}

function buffer(isTTY: boolean): CliOutput & { text: string } {
  const out = {
    isTTY,
    columns: 200,
    text: "",
    write(s: string) {
      out.text += s;
    },
  };
  return out;
}

describe("backup progress", () => {
  const halfway = status({
    percentDone: 0.5,
    filesDone: 10n,
    totalFiles: 20n,
    bytesDone: BigInt(50 * MiB),
    totalBytes: BigInt(100 * MiB),
    secondsElapsed: 10,
  });

  it("works out the rate and, without restic's estimate, the time left from it", () => {
    assert.deepEqual(progressFigures(halfway), {
      percent: 50,
      files: "10/20 files",
      bytes: "50 MiB/100 MiB",
      rate: "5.0 MiB/s",
      left: "10s",
    });
    const withEstimate = status({ ...halfway, secondsRemaining: 125n });
    assert.equal(progressFigures(withEstimate).left, "2m05s");
  });

  it("says '-' before anything is known", () => {
    const f = progressFigures(status({ totalFiles: 1n, totalBytes: 7n }));
    assert.equal(f.rate, "-");
    assert.equal(f.left, "-");
    assert.equal(f.percent, 0);
  });

  it("draws a bar of the right length", () => {
    assert.match(progressBar(halfway), /^\[#{12}\.{12}\] {2}50% {2}10\/20 files/);
    assert.equal(progressText(halfway), " 50%  10/20 files  50 MiB/100 MiB  5.0 MiB/s  10s left");
  });

  it("redraws in place on a terminal and writes new lines elsewhere", () => {
    const tty = buffer(true);
    const bar = createProgressReporter(tty);
    bar.update(halfway);
    bar.update(halfway);
    bar.end();
    assert.equal(tty.text.split("\r").length - 1, 3, "two redraws and a clear");
    assert.ok(!tty.text.includes("\n"));
    const pipe = buffer(false);
    const lines = createProgressReporter(pipe);
    lines.update(halfway);
    lines.update(halfway);
    lines.update(status({ ...halfway, percentDone: 0.75 }));
    lines.end();
    assert.deepEqual(
      pipe.text
        .trimEnd()
        .split("\n")
        .map((l) => l.slice(0, 13)),
      ["progress  50%", "progress  75%"],
    );
  });
});

describe("formats", () => {
  it("bytes and durations", () => {
    assert.equal(formatBytes(0), "0 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(300 * MiB), "300 MiB");
    assert.equal(formatDuration(4.21), "4.2s");
    assert.equal(formatDuration(3725), "1h02m");
    assert.equal(formatDuration(-1), "-");
  });
});
