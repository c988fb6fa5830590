// A frontend developer's usage of the package, type-checked by `tsc --noEmit` in the tests: if
// the shipped .d.ts drifts from the documented API, this stops compiling.
import init, { Engine, check, version, type Report, type Diagnostic, type EligoError, type PolicyResult } from "../../pkg/web/eligo.js";

export async function demo(text: string): Promise<string[]> {
  await init();
  const problems: Diagnostic[] = check({ "draft.rules": text });
  const firstLine: number | undefined = problems[0]?.start.line;
  let engine: Engine;
  try {
    engine = Engine.compile({ "draft.rules": text });
  } catch (e) {
    const error = e as EligoError;
    return (error.diagnostics ?? []).map((d) => `${d.file}:${d.start.line}:${d.start.utf16Column} ${d.message}`);
  }
  const report: Report = engine.evaluate({ birth_date: "1958-01-15", hukou: "上海" }, { date: "2025-03-01", lang: "en" });
  const eligible: PolicyResult[] = report.policies.filter((p) => p.status === "eligible");
  const amounts: string[] = eligible.map((p) => `${p.title}: ${String(p.outputs.amount)} per ${String(p.outputs.period)}`);
  const next = report.askNext[0]?.question ?? report.askNext[0]?.input;
  const inputs = engine.schema().inputs.map((i) => `${i.name}: ${i.type}`);
  // A page that only evaluates leaves the examples out; a screen decides many records on one date.
  const lean = Engine.compile({ "draft.rules": text }, { examples: false });
  const decider = lean.decider("2025-03-01");
  const codes: Uint8Array = decider.decide({ hukou: "上海" });
  const amount: string | undefined = codes[0] === 0 ? decider.amount(0) : undefined;
  inputs.push(String(amount));
  return [version(), String(firstLine), ...amounts, String(next), ...inputs];
}

// A citizen page ships the evaluation-only module and the rule set compiled by `eligo build`.
// The page pins the issuer's public key and keeps the last version it accepted.
import initEval, { Engine as Evaluator, type Decider, type LoadOptions, type RulesInfo, type LoadErrorReason } from "../../pkg/eval/eligo.js";

const ISSUER_PUB = "issuer: 上海市民政局\nkey-id: …\npublic-key: …\n";

export async function page(program: Uint8Array, citizen: Record<string, unknown>, lastVersion: number): Promise<string> {
  await initEval();
  let engine: Evaluator;
  const options: LoadOptions = { trustedKeys: [ISSUER_PUB], acceptedVersion: lastVersion, lang: "en" };
  try {
    engine = Evaluator.load(program, options);
  } catch (e) {
    const error = e as EligoError;
    const refused: LoadErrorReason | undefined = error.kind === "load" ? (error.reason as LoadErrorReason) : undefined;
    return `${error.kind} ${refused ?? error.reason ?? ""}: ${error.messages?.zh ?? error.message}`;
  }
  const rules: RulesInfo = engine.rules();
  const shown = rules.signed ? `${rules.issuer ?? ""} v${rules.version ?? 0}` : "unsigned (development)";
  const development = Evaluator.load(program, { allowUnsigned: true });
  const unsigned: boolean = !development.rules().signed;
  const decider: Decider = engine.decider("2025-03-01");
  const statuses: Uint8Array = decider.decideMany([citizen, citizen]);
  const byColumns = decider.decideColumns({ hukou: ["上海", null] }, 2);
  const report: Report = engine.evaluate(citizen, { date: "2025-03-01" });
  const code: string = report.rules.verificationCode;
  const hash: string = report.rules.hash;
  decider.free();
  return `${decider.policies[0]}: ${statuses[0]} ${byColumns[1]} ${report.policies.length} ${shown} ${code} ${hash} ${unsigned}`;
}
