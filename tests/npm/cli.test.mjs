// The npm package of the `eligo` command (npm/eligo-cli, built by scripts/build-npm-cli.sh), as
// staff without Rust use it: installed from its packed tarball into a fresh folder, then run on
// rule files there. Every answer must be the native command's, byte for byte, exit code included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const version = fs.readFileSync(path.join(root, "Cargo.toml"), "utf8").match(/^version = "(.*)"/m)[1];
const tarball = path.join(root, `target/npm/eligo-cli-${version}.tgz`);
const native = path.join(root, "target/debug/eligo");

// A fresh folder with the package installed from the tarball, and rule files to work on.
const folder = fs.mkdtempSync(path.join(os.tmpdir(), "eligo-npm-"));
execFileSync("npm", ["init", "-y"], { cwd: folder, stdio: "ignore" });
execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], { cwd: folder, stdio: "ignore" });
fs.cpSync(path.join(root, "rules"), path.join(folder, "rules"), { recursive: true });
fs.cpSync(path.join(root, "tests/fixtures/invalid"), path.join(folder, "invalid"), { recursive: true });
const npmEligo = path.join(folder, "node_modules/.bin/eligo");

const run = (command, args, input) => {
  const out = spawnSync(command, args, { cwd: folder, input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
};

/** The npm command answers as the native one. */
function same(args, input) {
  const expected = run(native, args, input);
  const got = run(npmEligo, args, input);
  assert.deepEqual(got, expected, `eligo ${args.join(" ")}`);
  return got;
}

test("the package installs from its tarball and runs the `eligo` it names", () => {
  const got = run(npmEligo, ["--version"]);
  assert.equal(got.status, 0);
  assert.match(got.stdout, new RegExp(version.replaceAll(".", "\\.")));
});

test("check and test answer as the native command", () => {
  assert.equal(same(["check", "rules/"]).status, 0);
  assert.equal(same(["test", "rules/"]).status, 0);
  assert.equal(same(["check", "rules/", "--format", "json"]).status, 0);
});

test("rules with errors: the same diagnostics and exit code", () => {
  const files = fs.readdirSync(path.join(folder, "invalid")).filter((f) => f.endsWith(".rules")).sort();
  assert.ok(files.length > 50, `${files.length} invalid fixtures`);
  // Most are refused (exit 1); those of warnings only pass, as natively.
  const refused = files.filter((file) => same(["check", `invalid/${file}`]).status === 1);
  assert.ok(refused.length > files.length / 2, `${refused.length} of ${files.length} refused`);
});

test("eval: the same report, from a file, from standard input and by an absolute path", () => {
  const profile = "rules/profiles/shanghai_elder_67.json";
  same(["eval", "rules/", "--data", profile, "--date", "2025-09-01"]);
  same(["eval", "rules/", "--data", profile, "--date", "2025-09-01", "--format", "json", "--lang", "en"]);
  same(["eval", "rules/", "--data", "-", "--date", "2025-09-01", "--explain", "elderly_allowance"],
    fs.readFileSync(path.join(folder, profile)));
  same(["eval", path.join(folder, "rules"), "--data", path.join(folder, profile), "--date", "2025-09-01"]);
});

test("build writes the same program; keys are made only by the native command", () => {
  const a = same(["build", "rules/", "-o", "native-or-npm.eligo"]);
  assert.equal(a.status, 0);
  const refused = run(npmEligo, ["keygen", "--issuer", "测试", "-o", "npm.key"]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /native eligo/);
  assert.ok(!fs.existsSync(path.join(folder, "npm.key")) && !fs.existsSync(path.join(folder, "npm.pub")));
});
