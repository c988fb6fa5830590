#!/usr/bin/env node
// `eligo` for those without Rust: the very `eligo` command (crates/eligo-cli), compiled to
// WebAssembly for WASI, run by Node. Same commands, same output, same exit codes as the native one.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Node 20 marks node:wasi experimental and says so on every run: not the user's concern here.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) =>
  String(warning).includes("WASI") ? undefined : emitWarning.call(process, warning, ...rest);
const { WASI } = await import("node:wasi");

const here = path.dirname(fileURLToPath(import.meta.url));
const wasi = new WASI({
  version: "preview1",
  args: ["eligo", ...process.argv.slice(2)],
  // The command starts in PWD (crates/eligo-cli/src/main.rs): relative paths are the working
  // folder's, absolute ones the machine's, as for any command.
  env: { ...process.env, PWD: process.cwd() },
  preopens: { "/": "/" },
  returnOnExit: true,
});
const module = await WebAssembly.compile(fs.readFileSync(path.join(here, "..", "eligo.wasm")));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
