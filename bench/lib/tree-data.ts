/** A wide tree of tiny files for browsing benchmarks: many folders, little data. */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Shape of a generated tree: top folders, each with sub folders holding the files. */
export interface TreeShape {
  topFolders: number;
  subFolders: number;
  filesPerFolder: number;
  /** Each file gets between 1 and this many random bytes. */
  maxFileBytes: number;
}

/** 20 x 50 = 1,000 leaf folders of 50 files each: 50,000 files, 1,021 folders with the root. */
export const DEFAULT_TREE: TreeShape = {
  topFolders: 20,
  subFolders: 50,
  filesPerFolder: 50,
  maxFileBytes: 256,
};

/** What was written. */
export interface TreeData {
  dir: string;
  files: number;
  /** Entries of `dir` itself (its top folders). */
  topEntries: number;
  /** Every folder below `dir` (not `dir` itself), absolute, with its number of entries. */
  folders: { path: string; entries: number }[];
}

/**
 * Writes the tree under `dir`. File contents are slices of one random buffer, so writing
 * 50,000 files costs little more than the file creations.
 */
export function generateTree(dir: string, shape: TreeShape = DEFAULT_TREE): TreeData {
  const pool = randomBytes(1 << 20);
  const folders: TreeData["folders"] = [];
  let files = 0;
  let offset = 0;
  for (let t = 0; t < shape.topFolders; t++) {
    const top = join(dir, `top-${String(t).padStart(2, "0")}`);
    folders.push({ path: top, entries: shape.subFolders });
    for (let s = 0; s < shape.subFolders; s++) {
      const sub = join(top, `sub-${String(s).padStart(2, "0")}`);
      mkdirSync(sub, { recursive: true });
      folders.push({ path: sub, entries: shape.filesPerFolder });
      for (let f = 0; f < shape.filesPerFolder; f++) {
        const size = 1 + ((offset * 7919) % shape.maxFileBytes);
        if (offset + size > pool.length) offset = 0;
        writeFileSync(join(sub, `file-${f}.dat`), pool.subarray(offset, offset + size));
        offset += size;
        files++;
      }
    }
  }
  return { dir, files, topEntries: shape.topFolders, folders };
}
