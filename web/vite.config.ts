/**
 * Builds the web UI into dist/web (served by the daemon): code-split by view, with a `.br`
 * and a `.gz` beside every compressible file so the daemon serves them without compressing.
 * `vite --config web/vite.config.ts` serves it for development, proxying the API to
 * RESTWELL_URL (default http://127.0.0.1:9898).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const OUT_DIR = resolve(import.meta.dirname, "..", "dist", "web");
const COMPRESSIBLE = /\.(html|js|css|json|svg|txt|map)$/;

/** Writes file.br and file.gz next to every compressible output file of at least 1 KiB. */
function precompress(): Plugin {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  return {
    name: "restwell-precompress",
    apply: "build",
    closeBundle() {
      for (const file of walk(OUT_DIR)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const raw = readFileSync(file);
        if (raw.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

const daemon = process.env.RESTWELL_URL ?? "http://127.0.0.1:9898";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [react(), precompress()],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    fs: { allow: [resolve(import.meta.dirname, "..")] },
    proxy: {
      "^/(v1|types|grpc)\\.": { target: daemon, changeOrigin: false },
      "/download/": { target: daemon },
    },
  },
});
