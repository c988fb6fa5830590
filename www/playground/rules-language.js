// Highlighting for the Eligo rules language (a CodeMirror 6 stream language): keywords, types,
// strings in "…" and “…”, dates, money (元, yuan), percentages, comments, operators.
import { StreamLanguage, HighlightStyle, syntaxHighlighting, tags as t } from "../vendor/codemirror.js";

const KEYWORDS = new Set(
  ("ruleset input record field param let table policy example group source url label question hint en effective from until " +
    "require unless amount fee waiver output exception when then excludes highest of given expect on min max first unique otherwise " +
    "monthly yearly once if else and or not in today").split(" "),
);
const TYPES = new Set("bool int decimal money date text list one".split(" "));
const STATUSES = new Set("eligible ineligible undetermined not_applicable error missing payable".split(" "));
const ATOMS = new Set(["true", "false", "yuan"]);

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*/u;

export const rulesLanguage = StreamLanguage.define({
  name: "eligo",
  startState: () => ({ afterDecl: false }),
  token(stream, state) {
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^“[^”]*”?/)) return "string";
    if (stream.match(/^\d{4}-\d{2}-\d{2}/)) return "atom";
    if (stream.match(/^\d[\d_]*(?:\.\d+)?(?:%|元|\s?yuan\b)?/)) return "number";
    if (stream.match(/^(?:>=|<=|==|!=|=>|\.\.|->|[+\-*\/<>=])/)) return "operator";
    if (stream.match(/^[()[\],:{}]/)) return "punctuation";
    const word = stream.match(IDENT);
    if (word) {
      const w = word[0];
      const wasDecl = state.afterDecl;
      state.afterDecl = ["policy", "input", "param", "let", "table", "record", "field", "ruleset", "group"].includes(w);
      if (KEYWORDS.has(w)) return "keyword";
      if (TYPES.has(w)) return "typeName";
      if (STATUSES.has(w)) return "labelName";
      if (ATOMS.has(w)) return "bool";
      return wasDecl ? "variableName.definition" : "variableName";
    }
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "//" } },
});

/** Colours chosen for contrast on white (all at least 4.5:1). */
export const rulesHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.keyword, color: "#7a1fa2", fontWeight: "600" },
    { tag: t.typeName, color: "#005a8c" },
    { tag: t.string, color: "#0a6b2f" },
    { tag: t.comment, color: "#5c6370", fontStyle: "italic" },
    { tag: t.number, color: "#a33b00" },
    { tag: t.atom, color: "#a33b00" },
    { tag: t.bool, color: "#a33b00" },
    { tag: t.labelName, color: "#8a3a00", fontWeight: "600" },
    { tag: t.operator, color: "#333" },
    { tag: t.definition(t.variableName), color: "#0b4a8b", fontWeight: "700" },
    { tag: t.variableName, color: "#1b1f24" },
  ]),
);
