// Loads the Eligo module and the rule set once per page: one request for the module's JS, one for
// the .wasm, one for www/rules/index.json (every rule file and demo profile, written by
// scripts/build-web.sh). Everything after that happens on this device.
import init, { Engine, check, version } from "../pkg/eligo.js";

let ready;

/** Initialises the module and fetches the rule set: { Engine, check, version, rules, profiles, ms }. */
export function load(base = new URL("../", import.meta.url)) {
  ready ??= (async () => {
    const started = performance.now();
    const [, index] = await Promise.all([
      init({ module_or_path: new URL("pkg/eligo_bg.wasm", base) }),
      fetch(new URL("rules/index.json", base)).then((r) => {
        if (!r.ok) throw new Error(`rules/index.json: ${r.status} (run scripts/build-web.sh)`);
        return r.json();
      }),
    ]);
    return { Engine, check, version, rules: index.rules, profiles: index.profiles, ms: performance.now() - started };
  })();
  return ready;
}

/** The rule files as Engine.compile takes them: { "shanghai/elderly.rules": text, … }. */
export function ruleFiles(rules) {
  return Object.fromEntries(rules.map((r) => [r.path, r.text]));
}

/** The device's date as "YYYY-MM-DD" (local time, not UTC). */
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
