// The citizen page: load the citizen's data, check every service with one click, ask only the
// questions that matter (the report's askNext order), explain each result, print a summary.
// Everything runs on this device; after the page has loaded it makes no request at all.
import { loadEvaluator, today } from "./engine.js";
import { STRINGS, initialLang, pick } from "./i18n.js";
import { h, icon, uid } from "./dom.js";
import { field, listField } from "./form.js";
import { factLabel, formatValue, headline, labelIndex, money, otherOutputs, parsePath, totals, traceView } from "./explain.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const state = {
  lang: initialLang(),
  large: false,
  date: /^\d{4}-\d{2}-\d{2}$/.test(params.get("date") ?? "") ? params.get("date") : today(),
  facts: {},
  engine: null,
  rules: null, // the verified rules' provenance: issuer, version, issued
  refused: null, // the EligoError of rules that did not verify: nothing is evaluated
  schema: null,
  labels: new Map(),
  policies: [],
  profiles: [],
  report: null,
  checked: false,
  pinned: null, // an askNext input the citizen chose to answer first
  openWhy: new Set(), // policy ids whose "why?" is open, kept across re-renders
  lastEvalMs: 0,
};
const s = () => STRINGS[state.lang];

// ---------------------------------------------------------------------------------------------
// Language and display settings

function applyStrings() {
  const t = s();
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = t.pageTitle;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const value = t[el.dataset.i18n];
    if (typeof value === "string") el.textContent = value;
  }
  const langButton = $("lang-switch");
  langButton.textContent = t.switchLang;
  langButton.lang = state.lang === "zh" ? "en" : "zh-CN";
  langButton.setAttribute("aria-label", t.switchLangLabel);
  $("large-switch").setAttribute("title", t.largeTextLabel);
  document.querySelector(".tools").setAttribute("aria-label", state.lang === "zh" ? "显示设置" : "Display settings");
  document.querySelector(".footer-links").setAttribute("aria-label", state.lang === "zh" ? "更多" : "More");
  if (state.refused) renderRefused();
  else if (state.engine) {
    $("status").textContent = "";
    $("footer-rules").textContent = `${t.footerRules(pick(state.schema.title, state.lang), state.policies.length)} · ${t.footerVersion(state.version)}`;
    $("footer-signed").textContent = signedBy();
  }
}

const signedBy = () => s().signedBy(state.rules.issuer, state.rules.version, state.rules.issued);

// A load error's reason (the engine's word for it) as a citizen would put it.
const REFUSED = {
  unknownKey: "unknownKey",
  unsigned: "unsigned",
  signatureMissing: "unsigned",
  olderVersion: "olderVersion",
  badSignature: "altered",
  programAltered: "altered",
  signatureTruncated: "altered",
  keyIdMismatch: "altered",
  keyIdMissing: "altered",
  issuerMismatch: "altered",
  truncated: "altered",
  checksum: "altered",
};

/** Rules that did not verify: that nothing was worked out, why in plain words, what to do. */
function renderRefused() {
  const t = s();
  const error = state.refused;
  $("status").classList.add("refused");
  $("status").replaceChildren(
    h("strong", { class: "refused-title" }, t.refusedTitle),
    h("span", { class: "refused-reason" }, t.refusedReason[REFUSED[error.reason] ?? "unreadable"]),
    h("span", {}, t.refusedAdvice),
    h("span", { class: "refused-detail" }, t.refusedDetail, error.messages?.[state.lang] ?? error.message),
  );
}

function setLang(lang) {
  state.lang = lang;
  try {
    localStorage.setItem("eligo.lang", lang);
  } catch {}
  applyStrings();
  // Before the rules are loaded, or when they were refused, there is nothing else to show.
  if (!state.engine) return;
  renderProfiles();
  renderData();
  if (state.checked) evaluate();
}

function setLarge(on) {
  state.large = on;
  document.documentElement.classList.toggle("large", on);
  $("large-switch").setAttribute("aria-pressed", String(on));
  try {
    localStorage.setItem("eligo.large", on ? "1" : "0");
  } catch {}
}

// ---------------------------------------------------------------------------------------------
// The citizen's data

function profileName(profile) {
  if (profile.name) return pick(profile.name, state.lang);
  return profile.id.replace(/[-_]+/g, " ");
}

function renderProfiles() {
  const select = $("profile-select");
  const previous = select.value;
  select.replaceChildren(
    ...(state.profiles.length
      ? state.profiles.map((p) => h("option", { value: p.path }, profileName(p)))
      : [h("option", { value: "" }, s().noProfiles)]),
  );
  if (previous && state.profiles.some((p) => p.path === previous)) select.value = previous;
  select.disabled = $("load-profile").disabled = !state.profiles.length;
}

/** Keys the rule set knows; anything else in a profile is kept but not shown. */
function knownInputs() {
  return state.schema.inputs.filter((i) => state.facts[i.name] !== undefined && state.facts[i.name] !== null);
}

function renderKnown() {
  const t = s();
  const known = knownInputs();
  const box = $("known-facts");
  if (!known.length) {
    box.replaceChildren(h("p", { class: "empty" }, t.knownNone));
  } else {
    box.replaceChildren(
      h(
        "dl",
        { class: "facts" },
        known.map((input) => {
          const value = state.facts[input.name];
          let text = formatValue(value, state.lang);
          if (input.type === "money") text = t.money(money(value));
          if (input.type === "enum" && state.lang === "en") text = input.options?.find((o) => o.value === value)?.en ?? text;
          return h("div", { class: "fact" }, h("dt", {}, pick(input.label, state.lang) || input.name), h("dd", {}, text));
        }),
      ),
    );
  }
  $("facts-count").textContent = `(${t.allFactsCount(known.length, state.schema.inputs.length)})`;
}

function renderFullForm() {
  const form = $("full-form");
  form.replaceChildren(
    ...state.schema.inputs.map((input) => {
      const options = {
        lang: state.lang,
        value: state.facts[input.name],
        allowClear: true,
        idPrefix: "all",
        onChange: (value) => setFact(input.name, value, "full"),
      };
      return input.type === "list" ? listField(input, options) : field(input, options);
    }),
  );
}

function renderData() {
  renderKnown();
  renderFullForm();
}

function setFacts(facts, message) {
  state.facts = facts && typeof facts === "object" && !Array.isArray(facts) ? structuredClone(facts) : {};
  state.pinned = null;
  $("load-message").textContent = message ?? "";
  renderData();
  if (state.checked) evaluate();
}

/** One answer: set (or clear) a fact or a path into a list, then re-evaluate at once. */
function setFact(path, value, from) {
  const { name, index, field: key } = parsePath(path);
  if (index == null) {
    if (value === undefined) delete state.facts[name];
    else state.facts[name] = value;
  } else {
    const list = Array.isArray(state.facts[name]) ? state.facts[name] : (state.facts[name] = []);
    while (list.length <= index) list.push({});
    if (value === undefined) delete list[index][key];
    else list[index][key] = value;
  }
  if (state.pinned === path && value !== undefined) state.pinned = null;
  renderKnown();
  if (from !== "full") renderFullForm();
  if (state.checked) evaluate({ focusNext: from === "question" });
}

// ---------------------------------------------------------------------------------------------
// Evaluation and results

function evaluate({ focusNext = false, announce = true } = {}) {
  const started = performance.now();
  let report;
  try {
    report = state.engine.evaluate(state.facts, { date: state.date, lang: state.lang, trace: true });
  } catch (error) {
    if (error?.name === "EligoError" && error.kind === "invalidFacts") return showFactProblems(error);
    if (error?.name === "EligoError" && error.kind === "invalidDate") return showFactProblems({ problems: [{ path: "date", message: s().dateInvalid }] });
    throw error;
  }
  state.lastEvalMs = performance.now() - started;
  document.documentElement.dataset.lastEvalMs = state.lastEvalMs.toFixed(3);
  $("fact-problems").hidden = true;
  for (const el of document.querySelectorAll(".field.invalid")) el.setError?.(null);
  state.report = report;
  renderResults({ focusNext, announce });
}

function showFactProblems(error) {
  const t = s();
  const box = $("fact-problems");
  const problems = error.problems ?? [{ path: "", message: error.message }];
  box.hidden = false;
  box.replaceChildren(
    h("p", { class: "problems-title" }, t.invalidFacts),
    h("ul", {}, problems.map((p) => h("li", {}, p.path === "date" ? t.evalDate : factLabel(p.path, state.labels, state.lang), "：", p.message))),
  );
  for (const p of problems) {
    const name = parsePath(p.path).name;
    for (const el of document.querySelectorAll(`.field[data-input="${CSS.escape(name)}"]`)) el.setError?.(p.message);
  }
  $("results").hidden = false;
}

const GROUPS = [
  { status: "eligible", title: "groupEligible", badge: "badgeEligible", mark: "yes", open: true },
  { status: "undetermined", title: "groupUndetermined", badge: "badgeUndetermined", mark: "unknown", open: true },
  { status: "ineligible", title: "groupIneligible", badge: "badgeIneligible", mark: "no", open: false },
  { status: "not_applicable", title: "groupNotApplicable", badge: "badgeNotApplicable", mark: "off", open: false },
  { status: "error", title: "groupError", badge: "badgeError", mark: "error", open: true },
];

function policyInfo(id) {
  return state.policies.find((p) => p.id === id);
}

function questionFor(path) {
  const { name, index, field: key } = parsePath(path);
  const input = state.schema.inputs.find((i) => i.name === name);
  if (!input) return null;
  if (index != null && key) {
    const fieldInput = input.fields?.find((f) => f.name === key);
    return fieldInput ? { input: fieldInput, path, label: factLabel(path, state.labels, state.lang) } : null;
  }
  return { input, path, label: pick(input.label, state.lang) || name };
}

function card(policy, group) {
  const t = s();
  const info = policyInfo(policy.id);
  const titleId = uid("policy");
  const body = [];
  if (policy.status === "eligible") {
    const head = headline(policy.outputs, state.lang);
    if (head) {
      body.push(
        h(
          "p",
          { class: "amount" },
          head.period ? h("span", { class: "amount-period" }, head.period) : null,
          head.main ? h("span", { class: "amount-value" }, head.main) : null,
          head.detail ? h("span", { class: "amount-detail" }, head.detail) : null,
        ),
      );
    }
    const others = otherOutputs(policy.outputs, state.lang);
    if (others.length) body.push(h("dl", { class: "outputs" }, others.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v)))));
  } else if (policy.status === "undetermined") {
    const questions = policy.missing.map(questionFor).filter(Boolean);
    body.push(
      h("p", { class: "needs-title" }, t.needs),
      h(
        "ul",
        { class: "needs" },
        questions.map((q) =>
          h(
            "li",
            {},
            h("span", {}, pick(q.input.question, state.lang) && !parsePath(q.path).field ? pick(q.input.question, state.lang) : q.label),
            h(
              "button",
              { type: "button", class: "button button-link", "aria-label": `${t.answerThis}：${q.label}`, onclick: () => askFirst(q.path) },
              t.answer,
            ),
          ),
        ),
      ),
    );
  } else if (policy.status === "ineligible") {
    if (policy.excludedBy) {
      const other = state.report.policies.find((p) => p.id === policy.excludedBy);
      body.push(h("p", {}, t.excludedBy(other?.title ?? policy.excludedBy)));
    }
    if (policy.failed.length) body.push(h("p", { class: "needs-title" }, t.failed), h("ul", { class: "failed" }, policy.failed.map((f) => h("li", {}, icon("no"), f))));
  } else if (policy.status === "not_applicable") {
    body.push(h("p", {}, t.notInForce(info?.effectiveFrom, info?.effectiveUntil)));
  } else if (policy.status === "error") {
    body.push(h("p", {}, t.errorText), policy.error ? h("p", { class: "error-detail" }, policy.error.message) : null);
  }
  const why = h(
    "details",
    {
      class: "why",
      open: state.openWhy.has(policy.id),
      ontoggle: (e) => (e.target.open ? state.openWhy.add(policy.id) : state.openWhy.delete(policy.id)),
    },
    h("summary", {}, h("span", { class: "why-label" }, t.why), h("span", { class: "visually-hidden" }, ` ${policy.title}`)),
    h("h4", { class: "visually-hidden" }, t.whyTitle),
    traceView(policy, state.labels, state.lang),
  );
  return h(
    "li",
    { class: `card status-${policy.status}`, dataset: { policy: policy.id, status: policy.status } },
    h(
      "article",
      { "aria-labelledby": titleId },
      h(
        "div",
        { class: "card-head" },
        h("h4", { class: "card-title", id: titleId }, policy.title),
        h("span", { class: `badge badge-${policy.status}` }, icon(group.mark), t[group.badge]),
      ),
      body,
      why,
    ),
  );
}

function renderGroups() {
  const t = s();
  const byStatus = Object.groupBy
    ? Object.groupBy(state.report.policies, (p) => p.status)
    : state.report.policies.reduce((acc, p) => ((acc[p.status] ??= []).push(p), acc), {});
  const sections = [];
  for (const group of GROUPS) {
    const list = byStatus[group.status] ?? [];
    if (!list.length) continue;
    const headingId = `group-${group.status}`;
    const heading = [icon(group.mark), h("span", {}, t[group.title]), h("span", { class: "group-count" }, `（${list.length}）`.replace(/（(\d+)）/, state.lang === "zh" ? "（$1 项）" : " ($1)"))];
    const cards = h("ul", { class: "cards", role: "list" }, list.map((p) => card(p, group)));
    if (group.open) {
      sections.push(h("section", { class: `group group-${group.status}`, "aria-labelledby": headingId, dataset: { group: group.status } }, h("h3", { id: headingId, class: "group-title" }, heading), cards));
    } else {
      const details = h(
        "details",
        { class: `group group-${group.status}`, dataset: { group: group.status }, open: state.openGroups?.has(group.status), ontoggle: (e) => ((state.openGroups ??= new Set()), e.target.open ? state.openGroups.add(group.status) : state.openGroups.delete(group.status)) },
        h("summary", { class: "group-title" }, h("h3", { id: headingId }, heading)),
        cards,
      );
      sections.push(details);
    }
  }
  $("groups").replaceChildren(...sections);
}

function renderSummary(announce) {
  const t = s();
  const counts = { eligible: 0, undetermined: 0 };
  for (const p of state.report.policies) if (p.status in counts) counts[p.status]++;
  const sums = totals(state.report.policies);
  $("results-date").textContent = t.resultsFor(state.report.date);
  $("summary").replaceChildren(
    h("p", { class: "summary-line" }, t.summaryLine(counts.eligible, counts.undetermined)),
    sums.length
      ? h(
          "ul",
          { class: "totals", "aria-label": t.totals },
          ["month", "year", "once"]
            .map((period) => sums.find((x) => x.period === period))
            .filter(Boolean)
            .map((x) => h("li", {}, h("span", { class: "totals-period" }, t.perPeriod[x.period]), h("span", { class: "totals-amount" }, t.yuan(money(x.amount))))),
        )
      : null,
  );
  if (!announce) $("summary").setAttribute("aria-live", "off");
  else $("summary").setAttribute("aria-live", "polite");
}

function askFirst(path) {
  state.pinned = path;
  renderQuestions({ focus: true });
}

function renderQuestions({ focus = false } = {}) {
  const t = s();
  const box = $("questions");
  const asks = [...state.report.askNext];
  if (state.pinned && !asks.some((a) => a.input === state.pinned)) state.pinned = null;
  if (state.pinned) asks.sort((a, b) => (a.input === state.pinned ? -1 : b.input === state.pinned ? 1 : 0));
  const shown = asks.slice(0, 3).map((a) => ({ ask: a, q: questionFor(a.input) })).filter((x) => x.q);
  if (!shown.length) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.hidden = false;
  const fields = shown.map(({ ask, q }) => {
    const options = {
      lang: state.lang,
      value: undefined,
      question: true,
      idPrefix: "q",
      labelText: q.label,
      onChange: (value) => setFact(ask.input, value, "question"),
    };
    const { field: key } = parsePath(ask.input);
    let el;
    if (q.input.type === "list") el = listField(q.input, { ...options, value: state.facts[q.input.name] });
    else {
      const input = key ? q.input : q.input;
      el = field(input, { ...options, labelText: key ? q.label : undefined });
      if (key) el.querySelector(".field-label").textContent = q.label;
    }
    return h("div", { class: "question", dataset: { ask: ask.input } }, el, h("p", { class: "settles" }, t.settles(ask.settles)));
  });
  box.replaceChildren(
    h("h3", { id: "questions-title" }, t.questionsTitle(state.report.askNext.length)),
    h("p", { class: "panel-lead" }, t.questionsLead),
    h(
      "form",
      {
        class: "question-form",
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          const active = document.activeElement;
          if (active?.tagName === "INPUT") active.dispatchEvent(new Event("change", { bubbles: true }));
        },
      },
      fields,
    ),
  );
  if (focus) box.querySelector(".question")?.firstElementChild?.focusControl?.();
}

function renderPrintSummary() {
  const t = s();
  const rows = state.report.policies.filter((p) => p.status === "eligible" || p.status === "undetermined");
  const known = knownInputs();
  $("print-summary").replaceChildren(
    ...[h("h2", {}, t.printTitle),
    h("p", {}, `${t.printDate}：${state.report.date} · ${pick(state.schema.title, state.lang)}`),
    h("p", {}, signedBy()),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", {}, t.printService), h("th", {}, t.printResult), h("th", {}, t.printAmount), h("th", {}, t.printBasis))),
      h(
        "tbody",
        {},
        rows.map((p) => {
          const head = p.status === "eligible" ? headline(p.outputs, state.lang) : null;
          const amount = head ? [head.period, head.main, head.detail].filter(Boolean).join(" ") : "";
          const result =
            p.status === "eligible" ? `✓ ${t.badgeEligible}` : `? ${t.printMissing}：${p.missing.map((m) => factLabel(m, state.labels, state.lang)).join("、")}`;
          return h("tr", {}, h("td", {}, p.title), h("td", {}, result), h("td", {}, amount), h("td", {}, p.source?.citation ?? ""));
        }),
      ),
    ),
    known.length
      ? [
          h("h3", {}, t.printYourData),
          h(
            "dl",
            { class: "print-facts" },
            known.map((input) => h("div", {}, h("dt", {}, pick(input.label, state.lang) || input.name), h("dd", {}, input.type === "money" ? t.money(money(state.facts[input.name])) : formatValue(state.facts[input.name], state.lang)))),
          ),
        ]
      : null,
    h("h3", {}, t.printNotes),
    h("div", { class: "print-notes" }),
    h(
      "p",
      { class: "print-code" },
      `${t.printCode}：`,
      h("strong", { class: "verification-code" }, state.report.rules.verificationCode),
      h("span", { class: "print-code-hint" }, t.printCodeHint),
    ),
    h("p", { class: "print-footer" }, t.printGenerated)].flat().filter(Boolean),
  );
}

function renderResults({ focusNext = false, announce = true } = {}) {
  $("results").hidden = false;
  renderSummary(announce);
  renderQuestions({ focus: focusNext });
  renderGroups();
  renderPrintSummary();
  document.documentElement.dataset.evaluations = String(Number(document.documentElement.dataset.evaluations ?? 0) + 1);
}

// ---------------------------------------------------------------------------------------------
// Start

async function start() {
  setLarge(params.get("large") === "1" || (() => { try { return localStorage.getItem("eligo.large") === "1"; } catch { return false; } })());
  applyStrings();
  $("eval-date").value = state.date;

  $("lang-switch").addEventListener("click", () => setLang(state.lang === "zh" ? "en" : "zh"));
  $("large-switch").addEventListener("click", () => setLarge(!state.large));

  let loaded;
  try {
    loaded = await loadEvaluator();
    state.engine = loaded.engine;
  } catch (error) {
    if (error?.name === "EligoError" && error.kind === "load") {
      state.refused = error;
      for (const id of ["profile-select", "load-profile", "profile-file"]) $(id).disabled = true;
      document.documentElement.dataset.refused = error.reason;
      applyStrings();
      return;
    }
    $("status").textContent = s().loadFailed + (error?.message ?? error);
    $("status").classList.add("error");
    console.error(error);
    return;
  }
  state.version = loaded.version();
  state.rules = loaded.rules;
  state.schema = state.engine.schema();
  state.policies = state.engine.policies();
  state.labels = labelIndex(state.schema);
  state.profiles = loaded.profiles ?? [];
  applyStrings();
  renderProfiles();
  renderData();

  $("load-profile").addEventListener("click", () => {
    const profile = state.profiles.find((p) => p.path === $("profile-select").value);
    if (profile) setFacts(profile.facts, s().loaded(profileName(profile)));
  });
  $("profile-file").addEventListener("change", async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    try {
      const facts = JSON.parse(await file.text());
      if (!facts || typeof facts !== "object" || Array.isArray(facts)) throw new Error("not a JSON object");
      setFacts(facts, s().fileLoaded(file.name));
    } catch (error) {
      $("load-message").textContent = s().fileError(file.name, error.message);
    }
    e.target.value = "";
  });
  $("clear-facts").addEventListener("click", () => setFacts({}, s().cleared));
  $("eval-date").addEventListener("change", (e) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(e.target.value)) return;
    state.date = e.target.value;
    if (state.checked) evaluate();
  });
  $("check-all").addEventListener("click", () => {
    state.checked = true;
    evaluate({ announce: false });
    $("results").focus();
  });
  $("print").addEventListener("click", () => window.print());
  window.addEventListener("beforeprint", () => state.report && renderPrintSummary());

  $("check-all").disabled = false;
  $("status").textContent = "";
  document.documentElement.dataset.ready = "true";
  document.documentElement.dataset.loadMs = loaded.ms.toFixed(1);
  registerServiceWorker();
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator) || params.get("sw") === "0") {
    document.documentElement.dataset.offline = "unsupported";
    return;
  }
  navigator.serviceWorker
    .register(new URL("../sw.js", import.meta.url), { scope: new URL("../", import.meta.url).pathname })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      const done = () => (document.documentElement.dataset.offline = "ready");
      const worker = registration.active;
      if (worker?.state === "activated") return done();
      worker?.addEventListener("statechange", () => worker.state === "activated" && done());
    })
    .catch((error) => {
      document.documentElement.dataset.offline = "failed";
      console.warn("service worker:", error);
    });
}

start();
