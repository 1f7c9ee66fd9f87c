/** Source data for benchmarks: random bytes, so neither dedup nor compression shortens a backup. */
import { randomBytes, randomInt } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Shape of a generated data set. */
export interface DataSetOptions {
  /** Number of large files. */
  largeFiles: number;
  /** Size of each large file, in bytes. */
  largeFileBytes: number;
  /** Number of small files, spread over subdirectories. */
  smallFiles: number;
  /** Small files get a random size in [smallMinBytes, smallMaxBytes). */
  smallMinBytes: number;
  smallMaxBytes: number;
  /** Small files per subdirectory. */
  filesPerDir: number;
}

/** What was written. */
export interface DataSet {
  dir: string;
  files: number;
  bytes: number;
}

/** About 200 MiB in 5,000 files: 8 files of 24 MiB and 4,992 of 0.5-2.5 KiB in 50 directories. */
export const DEFAULT_DATA_SET: DataSetOptions = {
  largeFiles: 8,
  largeFileBytes: 24 * 1024 * 1024,
  smallFiles: 4_992,
  smallMinBytes: 512,
  smallMaxBytes: 2_560,
  filesPerDir: 100,
};

const CHUNK_BYTES = 4 * 1024 * 1024;

/** Writes a data set of random content under `dir` (created if missing). */
export function generateDataSet(dir: string, opts: DataSetOptions = DEFAULT_DATA_SET): DataSet {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (let i = 0; i < opts.largeFiles; i++) {
    bytes += writeRandomFile(join(dir, `large-${i}.bin`), opts.largeFileBytes);
  }
  for (let i = 0; i < opts.smallFiles; i++) {
    const sub = join(dir, `dir-${String(Math.floor(i / opts.filesPerDir)).padStart(3, "0")}`);
    if (i % opts.filesPerDir === 0) mkdirSync(sub, { recursive: true });
    const size = randomInt(opts.smallMinBytes, opts.smallMaxBytes);
    bytes += writeRandomFile(join(sub, `file-${i}.dat`), size);
  }
  return { dir, files: opts.largeFiles + opts.smallFiles, bytes };
}

/** What changeDataSet changes. */
export interface DataSetChange {
  /** Every n-th small file gets new content (20: 5% of them). */
  everyNthSmallFile: number;
  /** Random bytes appended to the first large file. */
  appendBytes: number;
}

/** About what a day changes in a backed-up folder: 5% of the small files, 4 MiB more in a large one. */
export const DEFAULT_CHANGE: DataSetChange = {
  everyNthSmallFile: 20,
  appendBytes: 4 * 1024 * 1024,
};

/**
 * Changes a data set made by generateDataSet (same `opts`) in place, for incremental backups:
 * new random content for every n-th small file, random bytes appended to the first large
 * file. Returns the bytes written.
 */
export function changeDataSet(
  dir: string,
  opts: DataSetOptions = DEFAULT_DATA_SET,
  change: DataSetChange = DEFAULT_CHANGE,
): number {
  let bytes = 0;
  for (let i = 0; i < opts.smallFiles; i += change.everyNthSmallFile) {
    const sub = join(dir, `dir-${String(Math.floor(i / opts.filesPerDir)).padStart(3, "0")}`);
    bytes += writeRandomFile(
      join(sub, `file-${i}.dat`),
      randomInt(opts.smallMinBytes, opts.smallMaxBytes),
    );
  }
  if (opts.largeFiles > 0) {
    writeFileSync(join(dir, "large-0.bin"), randomBytes(change.appendBytes), { flag: "a" });
    bytes += change.appendBytes;
  }
  return bytes;
}

/** Writes `size` random bytes to `path` in bounded chunks; returns the size. */
function writeRandomFile(path: string, size: number): number {
  if (size <= CHUNK_BYTES) {
    writeFileSync(path, randomBytes(size));
    return size;
  }
  writeFileSync(path, "");
  for (let done = 0; done < size; done += CHUNK_BYTES) {
    writeFileSync(path, randomBytes(Math.min(CHUNK_BYTES, size - done)), { flag: "a" });
  }
  return size;
}
