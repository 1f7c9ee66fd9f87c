/**
 * Stands in for the `bindings` package inside the single executable: better-sqlite3 asks it
 * for better_sqlite3.node, which cannot be required from the executable itself, so the addon
 * embedded by build.mjs is written to a private file and loaded with process.dlopen.
 */
const { embeddedFile } = require("../../src/sea/assets.ts");

const loaded = new Map();

module.exports = function bindings(name) {
  const file = String(name).endsWith(".node") ? name : `${name}.node`;
  if (!loaded.has(file)) {
    const path = embeddedFile(`native/${file}`);
    if (!path) throw new Error(`native addon ${file} is not embedded in this executable`);
    const mod = { exports: {} };
    process.dlopen(mod, path);
    loaded.set(file, mod.exports);
  }
  return loaded.get(file);
};
