// The parts of CodeMirror 6 the playground uses, bundled by scripts/build-web.sh (esbuild) into
// www/vendor/codemirror.js, so the page loads the editor from its own origin.
export { EditorView, keymap, lineNumbers, gutter, GutterMarker, Decoration, ViewPlugin, hoverTooltip, highlightActiveLine, highlightActiveLineGutter, drawSelection, highlightSpecialChars } from "@codemirror/view";
export { EditorState, Compartment, StateField, StateEffect, RangeSet } from "@codemirror/state";
export { StreamLanguage, HighlightStyle, syntaxHighlighting, bracketMatching, indentOnInput, foldGutter, indentUnit } from "@codemirror/language";
export { linter, lintGutter, lintKeymap, setDiagnostics, forEachDiagnostic } from "@codemirror/lint";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { closeBrackets, closeBracketsKeymap, autocompletion } from "@codemirror/autocomplete";
export { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
export { json, jsonParseLinter } from "@codemirror/lang-json";
export { tags } from "@lezer/highlight";
