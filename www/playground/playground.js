// The authoring playground for policy staff: edit a rule file of the rule set with highlighting and
// live diagnostics from the module's check(), run the file's examples and see them at their lines,
// and try a citizen (facts as JSON, a date) against the rules being edited, with traces. Hover,
// go to definition, completion, format and quick fixes are the language server's services, read
// from the module's Workspace (offsets in UTF-16 units, as CodeMirror counts).
import {
  EditorView, EditorState, keymap, lineNumbers, gutter, GutterMarker, StateField, StateEffect, RangeSet,
  highlightActiveLine, highlightActiveLineGutter, drawSelection, highlightSpecialChars, bracketMatching,
  linter, lintGutter, lintKeymap, setDiagnostics, hoverTooltip, autocompletion, defaultKeymap, history as editHistory, historyKeymap, closeBrackets, closeBracketsKeymap,
  searchKeymap, highlightSelectionMatches, json, jsonParseLinter,
} from "../vendor/codemirror.js";
import { rulesLanguage, rulesHighlight } from "./rules-language.js";
import { loadCompiler, ruleFiles, today } from "../js/engine.js";
import { h, icon } from "../js/dom.js";
import { headline, labelIndex, money, otherOutputs, traceView, factLabel } from "../js/explain.js";
import { initialLang } from "../js/i18n.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const UI = {
  zh: {
    title: "政策编写工具", subtitle: "编写、检查和试算政策规则", citizenPage: "居民页面", skip: "跳到编辑器", loading: "正在加载……",
    rulesTitle: "规则", file: "文件", runExamples: "运行示例", reset: "还原", problems: "问题", examples: "示例",
    tryTitle: "试算：一位居民", profile: "示例居民", date: "日期", reportLang: "报告语言", facts: "居民数据（JSON）",
    rawReport: "报告原文（JSON）", switchLang: "English", blank: "（空白）",
    setNote: (n) => `这个文件与规则集中的其他 ${n} 个文件一起检查和编译。`,
    noProblems: "✓ 没有发现问题", problemsCount: (e, w) => `✗ ${e} 个错误` + (w ? `，${w} 个警告` : ""),
    line: (file, l, c) => `${file} 第 ${l} 行第 ${c} 列`, help: "建议：",
    examplesNone: "这个文件没有示例。", examplesNeedFix: "请先修正错误，再运行示例。",
    examplesResult: (p, f) => `示例：${p} 个通过` + (f ? `，${f} 个未通过` : ""),
    passed: "通过", failed: "未通过", at: (l) => `第 ${l} 行`,
    factsInvalid: (m) => `JSON 有误：${m}`, factsProblems: "数据有误：", rulesBroken: "规则有错误，暂时无法试算。",
    evaluated: (n, ms) => `已计算 ${n} 项政策，用时 ${ms} 毫秒`,
    status: { eligible: "可以享受", ineligible: "不符合", undetermined: "待补充", not_applicable: "未生效", error: "错误" },
    missing: "缺少：", failedConds: "未满足：", askNext: "建议先问：", editorLabel: "规则文件编辑器", factsEditorLabel: "居民数据编辑器",
    openAt: "在编辑器中打开",
    format: "格式化", formatted: "已按标准格式排版。", formattedAlready: "已经是标准格式。",
    formatFailed: "规则有语法错误，改正后才能格式化。", fix: "修正",
  },
  en: {
    title: "Policy playground", subtitle: "Write, check and try policy rules", citizenPage: "Citizen page", skip: "Skip to the editor", loading: "Loading…",
    rulesTitle: "Rules", file: "File", runExamples: "Run examples", reset: "Revert", problems: "Problems", examples: "Examples",
    tryTitle: "Try a citizen", profile: "Sample resident", date: "Date", reportLang: "Report language", facts: "Citizen data (JSON)",
    rawReport: "Raw report (JSON)", switchLang: "中文", blank: "(blank)",
    setNote: (n) => `This file is checked and compiled together with the other ${n} files of the rule set.`,
    noProblems: "✓ No problems", problemsCount: (e, w) => `✗ ${e} error${e === 1 ? "" : "s"}` + (w ? `, ${w} warning${w === 1 ? "" : "s"}` : ""),
    line: (file, l, c) => `${file} line ${l}, column ${c}`, help: "Help: ",
    examplesNone: "This file has no examples.", examplesNeedFix: "Fix the errors first, then run the examples.",
    examplesResult: (p, f) => `Examples: ${p} passed` + (f ? `, ${f} failed` : ""),
    passed: "passed", failed: "failed", at: (l) => `line ${l}`,
    factsInvalid: (m) => `The JSON is not valid: ${m}`, factsProblems: "Problems in the data: ", rulesBroken: "The rules have errors; fix them to try a citizen.",
    evaluated: (n, ms) => `${n} policies evaluated in ${ms} ms`,
    status: { eligible: "eligible", ineligible: "ineligible", undetermined: "undetermined", not_applicable: "not in force", error: "error" },
    missing: "Missing: ", failedConds: "Not met: ", askNext: "Ask first: ", editorLabel: "Rule file editor", factsEditorLabel: "Citizen data editor",
    openAt: "Open in the editor",
    format: "Format", formatted: "Laid out in the standard format.", formattedAlready: "Already in the standard format.",
    formatFailed: "The file has syntax errors: fix them to format it.", fix: "Fix",
  },
};

const state = {
  lang: initialLang(),
  mod: null,
  originals: new Map(), // path → text as loaded
  texts: new Map(), // path → text as edited
  states: new Map(), // path → EditorState (keeps each file's undo history)
  current: null,
  engine: null,
  diagnostics: [],
  workspace: null, // the editor services over the files as they were at `workspaceDoc`
  workspaceDoc: null,
  examplesRun: false,
  profiles: [],
};
const u = () => UI[state.lang];

// ---------------------------------------------------------------------------------------------
// Diagnostics: module positions (1-based line, UTF-16 column) to editor offsets.

function offset(doc, pos) {
  const line = doc.line(Math.min(Math.max(pos.line, 1), doc.lines));
  return Math.min(line.from + Math.max(pos.utf16Column - 1, 0), line.to);
}

function toEditorDiagnostic(doc, d) {
  const from = offset(doc, d.start);
  let to = offset(doc, d.end);
  if (to <= from) to = Math.min(from + 1, doc.line(Math.min(Math.max(d.start.line, 1), doc.lines)).to);
  return {
    from,
    to: Math.max(to, from),
    severity: d.severity === "warning" ? "warning" : "error",
    source: d.code,
    message: `${d.message}${d.help ? ` — ${d.help}` : ""}`,
    renderMessage: () =>
      h(
        "div",
        { class: "diag-message" },
        h("p", { class: "diag-title" }, h("code", {}, d.code), " ", d.message),
        d.label ? h("p", { class: "diag-label" }, d.label) : null,
        d.help ? h("p", { class: "diag-help" }, h("strong", {}, u().help), d.help) : null,
        (d.notes ?? []).map((n) => h("p", { class: "diag-note" }, `${n.file}:${n.start.line}: ${n.message}`)),
      ),
  };
}

function allFiles() {
  return Object.fromEntries([...state.texts.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** Checks the whole rule set with the edited text; returns the current file's editor diagnostics. */
function recheck(view) {
  state.texts.set(state.current, view.state.doc.toString());
  const files = allFiles();
  // In the page's language (the module's diagnostics are in zh or en); errors first, then by file and line.
  const lang = state.lang;
  state.diagnostics = state.mod
    .check(files, { lang })
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) || a.file.localeCompare(b.file) || a.start.line - b.start.line);
  try {
    state.engine = state.mod.Engine.compile(files, { lang });
  } catch {
    state.engine = null;
  }
  state.checked = true;
  renderProblems();
  if (state.examplesRun) runExamples();
  evaluateCitizen();
  document.documentElement.dataset.checks = String(Number(document.documentElement.dataset.checks ?? 0) + 1);
  return state.diagnostics.filter((d) => d.file === state.current).map((d) => withFixes(toEditorDiagnostic(view.state.doc, d), d));
}

// ---------------------------------------------------------------------------------------------
// Editor services: the module's Workspace over the rule files as they are now, made again once the
// edited text has changed (CodeMirror's documents are immutable: the same object is the same text).

function workspace() {
  const doc = view.state.doc;
  if (state.workspace && state.workspaceDoc === doc) return state.workspace;
  state.texts.set(state.current, doc.toString());
  state.workspace?.free();
  state.workspace = new state.mod.Workspace(allFiles());
  state.workspaceDoc = doc;
  return state.workspace;
}

/** The quick fixes of a diagnostic of the module in the file being edited. */
function fixes(d) {
  if (d.file !== state.current) return [];
  const doc = view.state.doc;
  return workspace().codeActions(state.current, offset(doc, d.start), offset(doc, d.end), state.lang).filter((a) => a.fixes === d.code);
}

/** The editor's diagnostic with the quick fixes of `d`, applied on click. */
function withFixes(diagnostic, d) {
  const actions = fixes(d);
  if (!actions.length) return diagnostic;
  return { ...diagnostic, actions: actions.map((a) => ({ name: a.title, apply: (v) => applyEdits(v, a.edits) })) };
}

function applyEdits(v, edits) {
  const changes = edits.filter((e) => e.file === state.current).map(({ from, to, insert }) => ({ from, to, insert }));
  v.dispatch({ changes });
}

/** A hover's Markdown (code blocks, `code`, lists, paragraphs) as elements, never as HTML. */
function markdown(text) {
  const inline = (line) => line.split(/(`[^`]*`)/).map((part) => (/^`.*`$/.test(part) ? h("code", {}, part.slice(1, -1)) : part));
  const out = [];
  let fence = null;
  let paragraph = [];
  let list = [];
  const flush = () => {
    if (paragraph.length) out.push(h("p", {}, inline(paragraph.join(" "))));
    if (list.length) out.push(h("ul", {}, list.map((item) => h("li", {}, inline(item)))));
    paragraph = [];
    list = [];
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) {
      if (fence) out.push(h("pre", {}, fence.join("\n")));
      else flush();
      fence = fence ? null : [];
    } else if (fence) fence.push(line);
    else if (!line.trim()) flush();
    else if (line.startsWith("- ")) list.push(line.slice(2));
    else paragraph.push(line);
  }
  if (fence) out.push(h("pre", {}, fence.join("\n")));
  flush();
  return out;
}

const hover = hoverTooltip((v, pos) => {
  const found = workspace().hover(state.current, pos, state.lang);
  if (!found) return null;
  return { pos: found.from, end: found.to, above: true, create: () => ({ dom: h("div", { class: "hover-info", lang: state.lang === "zh" ? "zh-CN" : "en" }, markdown(found.markdown)) }) };
});

/** Moves the cursor to where the name at `pos` is declared, in whichever file of the set. */
function goToDefinition(v, pos = v.state.selection.main.head) {
  const found = workspace().definition(state.current, pos);
  if (!found) return false;
  if (found.file !== state.current) openFile(found.file);
  view.dispatch({ selection: { anchor: found.from, head: found.to }, effects: EditorView.scrollIntoView(found.from, { y: "center" }) });
  view.focus();
  return true;
}

const definitionClick = EditorView.domEventHandlers({
  mousedown(event, v) {
    if (event.button !== 0 || !(event.ctrlKey || event.metaKey)) return false;
    const pos = v.posAtCoords({ x: event.clientX, y: event.clientY });
    if (pos === null || !goToDefinition(v, pos)) return false;
    event.preventDefault();
    return true;
  },
});

const COMPLETION_TYPES = { keyword: "keyword", input: "variable", param: "constant", let: "variable", table: "function", field: "property", function: "function" };

function complete(context) {
  const word = context.matchBefore(/[\p{L}\p{N}_]+/u);
  if (!word && !context.explicit) return null;
  const options = workspace()
    .completion(state.current, context.pos)
    .map((c) => ({ label: c.label, type: COMPLETION_TYPES[c.kind], detail: c.detail ?? undefined, info: c.documentation ?? undefined }));
  return { from: word ? word.from : context.pos, options, validFor: /^[\p{L}\p{N}_]*$/u };
}

/** Lays the file out as `eligo fmt` does; says so, or why not. */
function formatFile() {
  const t = u();
  const status = $("format-status");
  const text = view.state.doc.toString();
  let formatted;
  try {
    formatted = state.mod.format(text, { lang: state.lang });
  } catch {
    status.textContent = t.formatFailed;
    status.className = "check-status bad";
    return true;
  }
  if (formatted !== text) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: formatted } });
  status.textContent = formatted === text ? t.formattedAlready : t.formatted;
  status.className = "check-status good";
  return true;
}

function renderProblems() {
  const t = u();
  const errors = state.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = state.diagnostics.length - errors;
  $("problem-count").textContent = String(state.diagnostics.length);
  const status = $("check-status");
  status.textContent = state.diagnostics.length ? t.problemsCount(errors, warnings) : t.noProblems;
  status.className = `check-status ${errors ? "bad" : "good"}`;
  $("problems").replaceChildren(
    ...state.diagnostics.map((d) =>
      h(
        "li",
        { class: `problem severity-${d.severity}`, dataset: { code: d.code, line: d.start.line, file: d.file } },
        h(
          "button",
          { type: "button", class: "problem-button", onclick: () => goTo(d.file, d.start.line, d.start.utf16Column) },
          h("span", { class: `sev sev-${d.severity}` }, d.severity === "error" ? "✗" : "!", h("span", { class: "visually-hidden" }, d.severity)),
          h("span", { class: "problem-where" }, t.line(d.file, d.start.line, d.start.column)),
          h("span", { class: "problem-text" }, h("code", {}, d.code), " ", d.message),
          d.help ? h("span", { class: "problem-help" }, t.help, d.help) : null,
        ),
        fixes(d).map((a) => h("button", { type: "button", class: "button button-secondary fix-button", onclick: () => applyEdits(view, a.edits) }, `${t.fix}: ${a.title}`)),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Examples, with a mark in the gutter at each example's line and each failure's line.

class Mark extends GutterMarker {
  constructor(passed, title) {
    super();
    this.passed = passed;
    this.title = title;
  }
  eq(other) {
    return other.passed === this.passed && other.title === this.title;
  }
  toDOM() {
    return h("span", { class: `example-mark ${this.passed ? "pass" : "fail"}`, title: this.title }, this.passed ? "✓" : "✗");
  }
}
const setMarks = StateEffect.define();
const marksField = StateField.define({
  create: () => RangeSet.empty,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const e of tr.effects) if (e.is(setMarks)) marks = e.value;
    return marks;
  },
});
const exampleGutter = gutter({ class: "cm-example-gutter", markers: (v) => v.state.field(marksField) });

function runExamples() {
  const t = u();
  state.examplesRun = true;
  if (state.engine === null && !state.checked) {
    // Not checked yet (the first check runs shortly after the editor opens): compile now.
    state.texts.set(state.current, view.state.doc.toString());
    try {
      state.engine = state.mod.Engine.compile(allFiles(), { lang: state.lang });
    } catch {}
  }
  const status = $("examples-status");
  const list = $("examples");
  if (!state.engine) {
    status.textContent = t.examplesNeedFix;
    status.className = "check-status bad";
    list.replaceChildren();
    $("example-count").textContent = "–";
    view.dispatch({ effects: setMarks.of(RangeSet.empty) });
    return;
  }
  const results = state.engine.runExamples().filter((r) => r.at.file === state.current);
  const passed = results.filter((r) => r.passed).length;
  $("example-count").textContent = `${passed}/${results.length}`;
  status.textContent = results.length ? t.examplesResult(passed, results.length - passed) : t.examplesNone;
  status.className = `check-status ${results.length - passed ? "bad" : "good"}`;
  list.replaceChildren(
    ...results.map((r) =>
      h(
        "li",
        { class: `example ${r.passed ? "pass" : "fail"}`, dataset: { line: r.at.line, passed: r.passed } },
        h(
          "button",
          { type: "button", class: "problem-button", onclick: () => goTo(r.at.file, r.at.line, 1) },
          h("span", { class: `sev ${r.passed ? "sev-pass" : "sev-error"}` }, r.passed ? "✓" : "✗"),
          h("span", { class: "problem-where" }, t.at(r.at.line), " · ", r.passed ? t.passed : t.failed),
          h("span", { class: "problem-text" }, r.name),
        ),
        r.failures.length
          ? h("ul", { class: "failures" }, r.failures.map((f) => h("li", {}, h("button", { type: "button", class: "button-link", onclick: () => goTo(f.at.file, f.at.line, f.at.column) }, t.at(f.at.line)), " ", f.message)))
          : null,
      ),
    ),
  );
  const doc = view.state.doc;
  const marks = [];
  for (const r of results) {
    marks.push({ line: r.at.line, mark: new Mark(r.passed, `${r.name}: ${r.passed ? t.passed : t.failed}`) });
    for (const f of r.failures) if (f.at.file === state.current && f.at.line !== r.at.line) marks.push({ line: f.at.line, mark: new Mark(false, f.message) });
  }
  const ranges = marks
    .filter((m) => m.line >= 1 && m.line <= doc.lines)
    .map((m) => m.mark.range(doc.line(m.line).from))
    .sort((a, b) => a.from - b.from);
  view.dispatch({ effects: setMarks.of(RangeSet.of(ranges, true)) });
}

// ---------------------------------------------------------------------------------------------
// Editors

const editorTheme = EditorView.theme({
  "&": { fontSize: "15px", border: "2px solid #5b6675", borderRadius: "8px", background: "#fff" },
  "&.cm-focused": { outline: "3px solid #ffbf00", boxShadow: "0 0 0 7px #0b0c0c" },
  ".cm-content": { fontFamily: "var(--mono)", lineHeight: "1.6" },
  ".cm-gutters": { background: "#f2f4f7", color: "#4d5766", borderRight: "1px solid #b9c3cf" },
  ".cm-activeLine": { background: "#f3f7fc" },
  ".cm-activeLineGutter": { background: "#e3ebf5", color: "#1b1f24" },
  ".cm-scroller": { overflow: "auto" },
  ".cm-tooltip": { border: "2px solid #1b1f24", borderRadius: "6px", background: "#fff" },
  ".diag-message": { maxWidth: "34rem", fontFamily: "var(--font)", fontSize: "15px", lineHeight: "1.5", padding: "2px 4px" },
  ".diag-message p": { margin: "2px 0" },
  ".diag-title code": { fontWeight: "700" },
  ".diag-help": { color: "#0a4d2a" },
  ".diag-note, .diag-label": { color: "#4d5766" },
  ".hover-info": { maxWidth: "34rem", fontFamily: "var(--font)", fontSize: "15px", lineHeight: "1.5", padding: "2px 8px" },
  ".hover-info pre": { fontFamily: "var(--mono)", background: "#f2f4f7", padding: "4px 6px", margin: "4px 0", whiteSpace: "pre-wrap" },
  ".hover-info p, .hover-info ul": { margin: "4px 0" },
  ".cm-diagnosticAction": { background: "#0b4a8b", color: "#fff", borderRadius: "4px", padding: "2px 8px", font: "inherit" },
  ".example-mark": { display: "inline-block", width: "1.2em", textAlign: "center", fontWeight: "800" },
  ".example-mark.pass": { color: "#0a6636" },
  ".example-mark.fail": { color: "#b00020" },
  ".cm-example-gutter": { minWidth: "1.4em" },
  ".cm-lintRange-error": { backgroundImage: "none", textDecoration: "underline wavy #b00020", textDecorationSkipInk: "none", textUnderlineOffset: "3px" },
  ".cm-lintRange-warning": { backgroundImage: "none", textDecoration: "underline wavy #a05a00", textDecorationSkipInk: "none", textUnderlineOffset: "3px" },
});
const rulesSize = EditorView.theme({ "&": { height: "62vh", minHeight: "20rem" } });
const factsSize = EditorView.theme({ "&": { height: "16rem" } });

let view;
let factsView;

function rulesState(text) {
  return EditorState.create({
    doc: text,
    extensions: [
      lineNumbers(),
      exampleGutter,
      lintGutter(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      editHistory(),
      drawSelection(),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      rulesLanguage,
      rulesHighlight,
      marksField,
      linter((v) => recheck(v), { delay: 250 }),
      hover,
      definitionClick,
      autocompletion({ override: [complete] }),
      keymap.of([
        { key: "F12", run: (v) => goToDefinition(v) },
        { key: "Shift-Alt-f", run: formatFile, preventDefault: true },
        ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...lintKeymap,
      ]),
      editorTheme,
      rulesSize,
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": u().editorLabel, tabindex: "0" }),
    ],
  });
}

function openFile(path, { line } = {}) {
  if (state.current && view) {
    state.states.set(state.current, view.state);
    state.texts.set(state.current, view.state.doc.toString());
  }
  state.current = path;
  $("file-select").value = path;
  const saved = state.states.get(path);
  view.setState(saved ?? rulesState(state.texts.get(path) ?? ""));
  $("set-note").textContent = state.texts.size > 1 ? u().setNote(state.texts.size - 1) : "";
  if (line) goTo(path, line, 1);
  if (state.examplesRun) runExamples();
  const url = new URL(location.href);
  url.searchParams.set("file", path);
  history.replaceState(null, "", url);
}

function goTo(file, line, column) {
  if (file !== state.current && state.texts.has(file)) openFile(file);
  const doc = view.state.doc;
  const pos = offset(doc, { line, utf16Column: column ?? 1 });
  view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
  view.focus();
}

// ---------------------------------------------------------------------------------------------
// Try a citizen

let evalTimer = null;
function evaluateCitizen() {
  clearTimeout(evalTimer);
  evalTimer = setTimeout(evaluateNow, 30);
}

function evaluateNow() {
  const t = u();
  const status = $("facts-status");
  const box = $("report");
  if (!factsView) return;
  let facts;
  try {
    const text = factsView.state.doc.toString().trim();
    facts = text ? JSON.parse(text) : {};
  } catch (error) {
    status.textContent = t.factsInvalid(error.message);
    status.className = "check-status bad";
    return;
  }
  if (!state.engine) {
    status.textContent = t.rulesBroken;
    status.className = "check-status bad";
    return;
  }
  const lang = $("try-lang").value;
  const started = performance.now();
  let report;
  try {
    report = state.engine.evaluate(facts, { date: $("try-date").value || today(), lang, trace: true });
  } catch (error) {
    status.textContent = t.factsProblems + (error.problems ? error.problems.map((p) => `${p.path}: ${p.message}`).join("; ") : error.message);
    status.className = "check-status bad";
    return;
  }
  const ms = (performance.now() - started).toFixed(2);
  status.textContent = t.evaluated(report.policies.length, ms);
  status.className = "check-status good";
  const labels = labelIndex(state.engine.schema());
  box.replaceChildren(
    ...[report.askNext.length
      ? h("p", { class: "ask-next" }, h("strong", {}, t.askNext), report.askNext.slice(0, 5).map((a) => `${a.label ?? a.input} (${a.settles})`).join(" · "))
      : null,
    h(
      "ul",
      { class: "report-list" },
      report.policies.map((p) => {
        const head = p.status === "eligible" ? headline(p.outputs, lang) : null;
        const body = traceView(p, labels, lang, { showLocations: true });
        for (const at of body.querySelectorAll(".trace-at")) {
          const [file, line] = at.textContent.split(":");
          at.replaceChildren(h("button", { type: "button", class: "button-link", "aria-label": `${t.openAt}: ${file}:${line}`, onclick: () => goTo(file, Number(line), 1) }, `${file}:${line}`));
        }
        return h(
          "li",
          { class: `report-item status-${p.status}`, dataset: { policy: p.id, status: p.status } },
          h(
            "details",
            {},
            h(
              "summary",
              {},
              h("span", { class: `badge badge-${p.status}` }, t.status[p.status]),
              h("span", { class: "report-title" }, p.title, h("code", {}, ` ${p.id}`)),
              head ? h("span", { class: "report-amount" }, [head.period, head.main, head.detail].filter(Boolean).join(" ")) : null,
            ),
            p.missing.length ? h("p", {}, h("strong", {}, t.missing), p.missing.map((m) => factLabel(m, labels, lang)).join("、")) : null,
            p.failed.length ? h("p", {}, h("strong", {}, t.failedConds), p.failed.join("；")) : null,
            otherOutputs(p.outputs, lang).length ? h("p", {}, otherOutputs(p.outputs, lang).map(([k, v]) => `${k} = ${v}`).join(" · ")) : null,
            p.error ? h("p", { class: "diag-help" }, `${p.error.message} (${p.error.at.file}:${p.error.at.line})`) : null,
            body,
          ),
        );
      }),
    )].filter(Boolean),
  );
  $("report-json").textContent = JSON.stringify(report, null, 2);
}

function setFacts(facts) {
  factsView.dispatch({ changes: { from: 0, to: factsView.state.doc.length, insert: JSON.stringify(facts, null, 2) } });
}

// ---------------------------------------------------------------------------------------------

function applyStrings() {
  const t = u();
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = `${t.title} · Eligo`;
  for (const el of document.querySelectorAll("[data-i18n]")) if (typeof t[el.dataset.i18n] === "string") el.textContent = t[el.dataset.i18n];
  const b = $("lang-switch");
  b.textContent = t.switchLang;
  b.lang = state.lang === "zh" ? "en" : "zh-CN";
}

async function start() {
  applyStrings();
  $("lang-switch").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    try {
      localStorage.setItem("eligo.lang", state.lang);
    } catch {}
    applyStrings();
    $("try-lang").value = state.lang;
    // Checked again, for the diagnostics in the new language (in the editor and in the list).
    if (view && state.mod) view.dispatch(setDiagnostics(view.state, recheck(view)));
    else renderProblems();
    if (state.examplesRun) runExamples();
    evaluateCitizen();
  });

  let loaded;
  try {
    loaded = await loadCompiler();
  } catch (error) {
    $("status").textContent = String(error.message ?? error);
    return;
  }
  state.mod = loaded;
  state.profiles = loaded.profiles ?? [];
  for (const r of loaded.rules) {
    state.originals.set(r.path, r.text);
    state.texts.set(r.path, r.text);
  }
  if (!state.texts.size) {
    state.originals.set("new.rules", "");
    state.texts.set("new.rules", "");
  }
  $("file-select").replaceChildren(...[...state.texts.keys()].map((p) => h("option", { value: p }, p)));
  $("try-profile").replaceChildren(h("option", { value: "" }, u().blank), ...state.profiles.map((p) => h("option", { value: p.path }, p.id)));
  $("try-date").value = params.get("date") ?? today();
  $("try-lang").value = state.lang;

  // The editors live in shadow roots: there CodeMirror styles itself with constructed style sheets,
  // which the page's Content-Security-Policy (style-src 'self', no inline <style>) allows.
  const rulesRoot = $("editor").attachShadow({ mode: "open" });
  view = new EditorView({ parent: rulesRoot, root: rulesRoot, state: rulesState("") });
  const factsRoot = $("facts-editor").attachShadow({ mode: "open" });
  factsView = new EditorView({
    parent: factsRoot,
    root: factsRoot,
    state: EditorState.create({
      doc: "{}",
      extensions: [
        lineNumbers(), editHistory(), drawSelection(), bracketMatching(), closeBrackets(), json(), linter(jsonParseLinter()), rulesHighlight,
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap]), editorTheme, factsSize, EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": u().factsEditorLabel, tabindex: "0" }),
        EditorView.updateListener.of((update) => update.docChanged && evaluateCitizen()),
      ],
    }),
  });

  const wanted = params.get("file");
  const first = wanted && state.texts.has(wanted) ? wanted : [...state.texts.keys()].find((p) => /elderly/.test(p)) ?? [...state.texts.keys()][0];
  openFile(first);
  const profile = state.profiles.find((p) => p.path === params.get("profile")) ?? state.profiles[0];
  if (profile) {
    $("try-profile").value = profile.path;
    setFacts(profile.facts);
  }

  $("file-select").addEventListener("change", (e) => openFile(e.target.value));
  $("run-examples").addEventListener("click", runExamples);
  $("format-file").addEventListener("click", () => formatFile() && view.focus());
  $("reset-file").addEventListener("click", () => {
    state.states.delete(state.current);
    state.texts.set(state.current, state.originals.get(state.current) ?? "");
    view.setState(rulesState(state.texts.get(state.current)));
  });
  $("try-profile").addEventListener("change", (e) => setFacts(state.profiles.find((p) => p.path === e.target.value)?.facts ?? {}));
  $("try-date").addEventListener("change", evaluateCitizen);
  $("try-lang").addEventListener("change", evaluateCitizen);

  $("status").textContent = "";
  // For the browser tests and the curious: the editors and navigation.
  window.playground = { view, factsView, openFile, goTo, runExamples, current: () => state.current, scrollTo: (pos) => EditorView.scrollIntoView(pos, { y: "center" }) };
  document.documentElement.dataset.ready = "true";
}

start();
