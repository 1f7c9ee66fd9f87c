#!/usr/bin/env node
// Entry point of the `restwell` command: runs the compiled CLI (make build).
import("../dist/src/main.js").catch((err) => {
  if (err?.code === "ERR_MODULE_NOT_FOUND") {
    console.error("restwell is not built yet: run `make build` (or `npm run build`) first");
    process.exit(1);
  }
  throw err;
});
