// Loads Eligo once per page. Everything after loading happens on this device.
//
// The citizen page only evaluates: it loads the evaluation-only module (pkg-eval/) and the rule set
// compiled ahead of time by `eligo build` (rules/rules.eligo): no parsing or checking on the phone.
// The playground compiles rule text as it is typed: it loads the full module (pkg/) and the rule
// files' text. Both fetch rules/index.json for the demo profiles (written by scripts/build-web.sh).

const fetchOk = async (url, read) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: ${response.status} (run scripts/build-web.sh)`);
  return read(response);
};

let evaluator;
let compiler;

/** The evaluation-only module with the precompiled rule set: { engine, version, profiles, ms }. */
export function loadEvaluator(base = new URL("../", import.meta.url)) {
  evaluator ??= (async () => {
    const started = performance.now();
    const eligo = await import(new URL("pkg-eval/eligo.js", base).href);
    const [, program, index] = await Promise.all([
      eligo.default({ module_or_path: new URL("pkg-eval/eligo_bg.wasm", base) }),
      fetchOk(new URL("rules/rules.eligo", base), (r) => r.arrayBuffer()),
      fetchOk(new URL("rules/index.json", base), (r) => r.json()),
    ]);
    const engine = eligo.Engine.load(new Uint8Array(program));
    return { engine, version: eligo.version, profiles: index.profiles, ms: performance.now() - started };
  })();
  return evaluator;
}

/** The full module and the rule files' text: { Engine, check, version, rules, profiles, ms }. */
export function loadCompiler(base = new URL("../", import.meta.url)) {
  compiler ??= (async () => {
    const started = performance.now();
    const eligo = await import(new URL("pkg/eligo.js", base).href);
    const [, index] = await Promise.all([
      eligo.default({ module_or_path: new URL("pkg/eligo_bg.wasm", base) }),
      fetchOk(new URL("rules/index.json", base), (r) => r.json()),
    ]);
    const { Engine, check, version } = eligo;
    return { Engine, check, version, rules: index.rules, profiles: index.profiles, ms: performance.now() - started };
  })();
  return compiler;
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
