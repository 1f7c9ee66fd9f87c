/**
 * A small, size-limited file system mounted for a test, so it can be filled up: a tmpfs, or a
 * loop-mounted ext4 image where tmpfs mounts are not allowed. Needs root; tests skip (saying
 * why) when neither can be mounted.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";

export interface SmallFs {
  /** The mount point. */
  dir: string;
  kind: "tmpfs" | "ext4 loop image";
  /** Writes a file until the file system is full; returns its path. */
  fill(): string;
  unmount(): Promise<void>;
}

/** Mounts a file system of `sizeMiB` at `dir` (created), or returns why it cannot. */
export async function mountSmallFs(
  dir: string,
  sizeMiB: number,
): Promise<SmallFs | { skip: string }> {
  mkdirSync(dir, { recursive: true });
  const tmpfs = await execa(
    "mount",
    ["-t", "tmpfs", "-o", `size=${sizeMiB}m,mode=0700`, "tmpfs", dir],
    {
      reject: false,
    },
  );
  if (tmpfs.exitCode === 0) return handle(dir, "tmpfs", async () => {});
  const image = `${dir}.img`;
  const steps: string[][] = [
    ["truncate", "-s", `${sizeMiB}M`, image],
    ["mkfs.ext4", "-q", "-F", image],
    ["mount", "-o", "loop", image, dir],
  ];
  for (const [cmd, ...args] of steps) {
    const r = await execa(cmd as string, args, { reject: false });
    if (r.exitCode !== 0) {
      rmSync(image, { force: true });
      return {
        skip: `cannot mount a small file system (tmpfs: ${tmpfs.stderr.trim() || tmpfs.exitCode}; ${cmd}: ${r.stderr.trim() || r.exitCode})`,
      };
    }
  }
  return handle(dir, "ext4 loop image", async () => rmSync(image, { force: true }));
}

function handle(dir: string, kind: SmallFs["kind"], cleanup: () => Promise<void>): SmallFs {
  return {
    dir,
    kind,
    fill() {
      const path = join(dir, "filler");
      const fd = openSync(path, "a");
      try {
        // Big chunks first, then smaller ones, until not even one byte fits.
        for (const size of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
          const chunk = Buffer.alloc(size, 0x5a);
          for (;;) {
            try {
              writeSync(fd, chunk);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === "ENOSPC") break;
              throw err;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return path;
    },
    async unmount() {
      const r = await execa("umount", [dir], { reject: false });
      if (r.exitCode !== 0) await execa("umount", ["-l", dir], { reject: false });
      await cleanup();
    },
  };
}
