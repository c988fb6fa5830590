// The rule files under rules/, as { "rules/…/x.rules": text }, in a stable order: what the CLI
// compiles for `eligo … rules/`. Shared by the JS tests and benchmarks.
import fs from "node:fs";
import path from "node:path";

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
