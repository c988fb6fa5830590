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
