// The rule files under rules/, as { "rules/…/x.rules": text }, in a stable order: what the CLI
// compiles for `eligo … rules/`. Shared by the JS tests and benchmarks.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";

export const root = path.resolve(import.meta.dirname, "..");

export function ruleFiles(dir = path.join(root, "rules")) {
  const files = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, ruleFiles(full));
    else if (entry.name.endsWith(".rules")) files[path.relative(root, full)] = fs.readFileSync(full, "utf8");
  }
  return files;
}

/// The rule files at `paths` compiled by `eligo build` into a precompiled program (bytes), written
/// to `out` (under target/ by default).
export function precompiled(paths = ["rules"], out = path.join(root, "target/eligo", `${path.basename(paths[0], ".rules")}.eligo`)) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  execFileSync("cargo", ["run", "--quiet", "--bin", "eligo", "--", "build", ...paths, "-o", out], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return fs.readFileSync(out);
}

/// The keys and signed bundles of rules/ made by the CLI into `dir` (target/signing by default),
/// for the signing tests and benchmark: two trusted keys of one office (`issuer` and `next`, a
/// rotation) and one no page trusts (`other`), each `NAME.key` and `NAME.pub`; rules/ signed by
/// `issuer` as version 3 (`rules.eligo`), by `next` as version 4 (`rules.next.eligo`), and unsigned
/// (`rules.unsigned.eligo`). Made anew each time: `eligo keygen` never overwrites a key.
export const ISSUER = "上海市民政局";
export function signedBundles(dir = path.join(root, "target/signing")) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const eligo = (...args) => execFileSync("cargo", ["run", "--quiet", "--bin", "eligo", "--", ...args], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const at = (name) => path.join(dir, name);
  for (const name of ["issuer", "next", "other"]) eligo("keygen", "--issuer", ISSUER, "-o", at(`${name}.key`));
  const issued = ["--issued", "2025-08-01"];
  eligo("build", "rules", "-o", at("rules.eligo"), "--sign", at("issuer.key"), "--version", "3", ...issued);
  eligo("build", "rules", "-o", at("rules.next.eligo"), "--sign", at("next.key"), "--version", "4", ...issued);
  eligo("build", "rules", "-o", at("rules.unsigned.eligo"));
  return dir;
}
