// Turns the engine's report into plain words: amounts with their period, fact names as the labels
// of the rule set, and a policy's trace as a list a person can follow ("why?"). Shared by the
// citizen page and the playground.
import { h, icon } from "./dom.js";
import { pick, STRINGS } from "./i18n.js";

/** Labels of the rule set's inputs (and list fields) by name, from engine.schema(). */
export function labelIndex(schema) {
  const index = new Map();
  for (const input of schema?.inputs ?? []) {
    index.set(input.name, input);
    for (const field of input.fields ?? []) index.set(`${input.name}.${field.name}`, field);
  }
  return index;
}

/** "household[1].monthly_income" → { name: "household", index: 1, field: "monthly_income" }. */
export function parsePath(path) {
  const m = /^([^[.]+)(?:\[(\d+)\](?:\.(.+))?)?$/.exec(path);
  if (!m) return { name: path };
  return { name: m[1], index: m[2] != null ? Number(m[2]) : undefined, field: m[3] };
}

/** The readable name of a fact or a path into a list, in the page's language. */
export function factLabel(path, labels, lang) {
  const s = STRINGS[lang];
  const { name, index, field } = parsePath(path);
  const input = labels.get(name);
  const base = input ? pick(input.label, lang) || name : name;
  if (index == null) return base;
  const fieldInput = field ? labels.get(`${name}.${field}`) : null;
  const fieldName = field ? (fieldInput ? pick(fieldInput.label, lang) || field : field) : "";
  return lang === "zh" ? `${s.member(index + 1)}的${fieldName}` : `${fieldName} of ${s.member(index + 1).toLowerCase()}`;
}

/** "1234.5" → "1,234.50": money as a string, never through a float. */
export function money(value) {
  const text = String(value);
  const negative = text.startsWith("-");
  let [whole, frac = ""] = text.replace(/^-/, "").split(".");
  frac = (frac + "00").slice(0, Math.max(2, frac.length));
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${whole}.${frac}`;
}

/** A decimal string times 100, exactly: "0.5" → "50", "0.125" → "12.5". */
export function percent(value) {
  let [whole, frac = ""] = String(value).split(".");
  frac = frac.padEnd(2, "0");
  const shifted = `${whole}${frac.slice(0, 2)}`.replace(/^(-?)0+(?=\d)/, "$1");
  const rest = frac.slice(2).replace(/0+$/, "");
  return rest ? `${shifted}.${rest}` : shifted;
}

/** A waiver is a rate ("0.5", "1") or a fixed sum ("10.00"). Rates have no 2-digit money form or are at most 1. */
const isRate = (value) => !/^\d+\.\d\d$/.test(String(value)) || Number(value) <= 1;

export function formatValue(value, lang) {
  const s = STRINGS[lang];
  if (value === null || value === undefined) return s.unknownValue;
  if (value === true) return s.yes;
  if (value === false) return s.no;
  if (Array.isArray(value)) return s.members(value.length);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The main figure of an eligible result: "每月 150.00 元", or "费用 20.00 元 · 减免 50% · 应付 10.00 元". */
export function headline(outputs, lang) {
  const s = STRINGS[lang];
  if (outputs.amount != null) {
    const per = outputs.period ? s.perPeriod[outputs.period] ?? outputs.period : "";
    return { main: s.yuan(money(outputs.amount)), period: per, periodKey: outputs.period ?? null };
  }
  if (outputs.fee != null || outputs.payable != null) {
    const parts = [];
    if (outputs.fee != null) parts.push(`${s.fee} ${s.money(money(outputs.fee))}`);
    if (outputs.waiver != null) parts.push(`${s.waiver} ${isRate(outputs.waiver) ? s.percent(percent(outputs.waiver)) : s.money(money(outputs.waiver))}`);
    return { main: outputs.payable != null ? `${s.payable} ${s.money(money(outputs.payable))}` : "", detail: parts.join(" · "), periodKey: null };
  }
  return null;
}

const RESERVED = new Set(["amount", "period", "fee", "waiver", "payable"]);

/** Named outputs other than the amount and the fee, as [name, text]. */
export function otherOutputs(outputs, lang) {
  return Object.entries(outputs)
    .filter(([k]) => !RESERVED.has(k))
    .map(([k, v]) => [k, typeof v === "string" && /^-?\d+\.\d\d$/.test(v) ? STRINGS[lang].money(money(v)) : formatValue(v, lang)]);
}

/** Totals of eligible amounts per period, summed in cents as BigInt. */
export function totals(policies) {
  const sums = {};
  for (const p of policies) {
    if (p.status !== "eligible" || p.outputs.amount == null) continue;
    const [whole, frac = ""] = String(p.outputs.amount).split(".");
    const cents = BigInt(whole) * 100n + BigInt((frac + "00").slice(0, 2)) * (whole.startsWith("-") ? -1n : 1n);
    const key = p.outputs.period ?? "once";
    sums[key] = (sums[key] ?? 0n) + cents;
  }
  return Object.entries(sums).map(([period, cents]) => {
    const abs = cents < 0n ? -cents : cents;
    return { period, amount: `${cents < 0n ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}` };
  });
}

const OUTPUT_WORDS = { amount: "amount", fee: "fee", waiver: "waiver", payable: "payable" };

/** One trace step in words: { mark, verdict, text, values, decided }. */
function stepWords(step, labels, lang) {
  const s = STRINGS[lang];
  let mark, verdict, text = step.label;
  switch (step.kind) {
    case "require":
      [mark, verdict] = step.met === true ? ["yes", s.traceMet] : step.met === false ? ["no", s.traceNotMet] : ["unknown", s.traceUnknown];
      break;
    case "unless":
      [mark, verdict] =
        step.met === true ? ["yes", s.traceNotExcluded] : step.met === false ? ["no", s.traceExcluded] : ["unknown", s.traceUnknown];
      break;
    case "output": {
      mark = step.outcome === null && /= \?$/.test(step.label) ? "unknown" : "info";
      verdict = s.traceOutput;
      const m = /^(.+?) = (.*)$/.exec(step.label);
      if (m) {
        const word = OUTPUT_WORDS[m[1]] ? s[OUTPUT_WORDS[m[1]]] : m[1];
        let value = m[2] === "?" ? s.unknownValue : m[2];
        if (m[1] === "waiver" && value !== s.unknownValue && isRate(value)) value = s.percent(percent(value));
        else if (/^-?\d+\.\d\d$/.test(value)) value = s.money(money(value));
        text = `${word}${lang === "zh" ? "：" : ": "}${value}`;
      }
      break;
    }
    case "relation":
      [mark, verdict] = [step.met === false ? "no" : "info", s.traceRelation];
      break;
    case "effective":
      [mark, verdict] = [step.met === false ? "off" : "yes", s.traceEffective];
      break;
    default:
      [mark, verdict] = ["info", step.kind];
  }
  const values = (step.values ?? []).map((v) => {
    const label = labels.has(v.name) ? pick(labels.get(v.name).label, lang) || v.name : factLabel(v.name, labels, lang);
    let value = formatValue(v.value, lang);
    if (typeof v.value === "string" && /^-?\d+\.\d\d$/.test(v.value)) value = s.money(money(v.value));
    return { label, value, missing: v.value === null, since: v.since ? s.since(v.since) : null };
  });
  // "标准: 65..69 => 75" reads as "标准: 65–69 → 75".
  const decided = step.decidedBy ? step.decidedBy.replace(/(\d)\.\.(\d)/g, "$1–$2").replace(/(\d)\.\.(?!\d)/g, lang === "zh" ? "$1 及以上" : "$1 and over").replace(/\s*=>\s*/g, " → ") : null;
  return { mark, verdict, text, values, decided, at: step.at ?? null };
}

/** The "why?" of one policy result: an ordered list of steps, then the citation. */
export function traceView(policy, labels, lang, { showLocations = false } = {}) {
  const s = STRINGS[lang];
  const steps = (policy.trace ?? []).map((step) => stepWords(step, labels, lang));
  const list = h(
    "ol",
    { class: "trace" },
    steps.map((st) =>
      h(
        "li",
        { class: `trace-step mark-${st.mark}` },
        icon(st.mark),
        h(
          "div",
          { class: "trace-body" },
          h("p", { class: "trace-line" }, h("strong", { class: "trace-verdict" }, st.verdict + (lang === "zh" ? "：" : ": ")), st.text),
          st.values.length
            ? h(
                "ul",
                { class: "trace-values" },
                st.values.map((v) =>
                  h("li", { class: v.missing ? "missing" : null }, `${v.label} = `, h("span", { class: "value" }, v.value), v.since ? ` (${v.since})` : null),
                ),
              )
            : null,
          st.decided ? h("p", { class: "trace-decided" }, s.decidedBy, st.decided) : null,
          showLocations && st.at ? h("p", { class: "trace-at" }, `${st.at.file}:${st.at.line}`) : null,
        ),
      ),
    ),
  );
  const source = policy.source
    ? h(
        "p",
        { class: "citation" },
        h("strong", {}, s.source),
        policy.source.citation,
        policy.source.url ? h("span", { class: "citation-url" }, ` ${policy.source.url}`) : null,
      )
    : null;
  return h("div", { class: "why-body" }, steps.length ? list : null, source);
}
