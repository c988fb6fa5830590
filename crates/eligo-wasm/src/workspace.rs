//! The playground's editor services: a thin layer over `eligo::editor` (the language server's
//! services), whose only work is the edge: file names to file ids, and JavaScript's UTF-16 offsets
//! to and from the byte offsets of the services, exactly.

use super::{eligo_error, eligo_error_in, lang_option, rule_files, to_js};
use eligo::editor::{self, Analysis, Location, RenameError};
use eligo::render::position;
use eligo::source::{FileId, Sources};
use eligo::vocabulary::Lang;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The rule files of a playground, analysed once: make a new one when a file changes.
#[wasm_bindgen]
pub struct Workspace {
    analysis: Analysis,
    /// UTF-16 units before each file's text as the services see it: 1 for a byte-order mark,
    /// which `SourceFile` drops and an editor keeps.
    leads: Vec<u32>,
}

#[derive(Serialize)]
struct Range<'a> {
    file: &'a str,
    from: u32,
    to: u32,
}

#[derive(Serialize)]
struct TextEdit<'a> {
    file: &'a str,
    from: u32,
    to: u32,
    insert: &'a str,
}

#[derive(Serialize)]
struct Hover<'a> {
    markdown: &'a str,
    from: u32,
    to: u32,
}

#[derive(Serialize)]
struct CodeAction<'a> {
    title: &'a str,
    fixes: &'a str,
    edits: Vec<TextEdit<'a>>,
}

#[derive(Serialize)]
struct DocumentSymbol<'a> {
    name: &'a str,
    kind: editor::SymbolKind,
    range: Range<'a>,
    selection: Range<'a>,
}

/// The byte offset of UTF-16 offset `units` in `text`; none past its end or inside a character.
fn byte_offset(text: &str, units: u32) -> Option<usize> {
    let mut counted = 0;
    for (at, c) in text.char_indices() {
        if counted >= units {
            return (counted == units).then_some(at);
        }
        counted += c.len_utf16() as u32;
    }
    (counted == units).then_some(text.len())
}

/// The UTF-16 offset of byte offset `bytes` in `text`.
fn utf16_offset(text: &str, bytes: usize) -> u32 {
    text.char_indices().take_while(|(at, _)| *at < bytes).map(|(_, c)| c.len_utf16() as u32).sum()
}

fn invalid(reason: &str, zh: String, en: String) -> JsValue {
    let message = |lang| match lang {
        Lang::Zh => zh.clone(),
        Lang::En => en.clone(),
    };
    eligo_error_in("invalidOptions", reason, Lang::Zh, message, None)
}

fn lang_of(value: &JsValue) -> Result<Lang, JsValue> {
    lang_option(value).map(Option::unwrap_or_default).map_err(|()| {
        invalid("invalidLang", "语言只能是 \"zh\" 或 \"en\"".into(), "the language must be \"zh\" or \"en\"".into())
    })
}

impl Workspace {
    fn file(&self, name: &str) -> Result<FileId, JsValue> {
        let found = self.analysis.sources.files.iter().position(|f| f.name == name);
        found.map(|id| id as FileId).ok_or_else(|| {
            invalid(
                "unknownFile",
                format!("工作区里没有文件 `{name}`"),
                format!("there is no file `{name}` in the workspace"),
            )
        })
    }

    /// The byte offset of a UTF-16 offset of file `file`.
    fn offset(&self, file: FileId, units: u32) -> Result<usize, JsValue> {
        let lead = self.leads.get(file as usize).copied().unwrap_or(0);
        let text = self.analysis.sources.get(file).map_or("", |f| f.text.as_str());
        byte_offset(text, units.saturating_sub(lead)).ok_or_else(|| {
            let name = self.name(file);
            invalid(
                "invalidOffset",
                format!("偏移量 {units} 不在文件 `{name}` 里（超出末尾或在一个字符中间）"),
                format!("offset {units} is not in the file `{name}` (past its end or inside a character)"),
            )
        })
    }

    fn name(&self, file: FileId) -> &str {
        self.analysis.sources.get(file).map_or("", |f| f.name.as_str())
    }

    fn units(&self, file: FileId, bytes: u32) -> u32 {
        let lead = self.leads.get(file as usize).copied().unwrap_or(0);
        let text = self.analysis.sources.get(file).map_or("", |f| f.text.as_str());
        lead + utf16_offset(text, bytes as usize)
    }

    fn range(&self, location: &Location) -> Range<'_> {
        let file = location.file;
        let (from, to) = (self.units(file, location.span.start), self.units(file, location.span.end));
        Range { file: self.name(file), from, to }
    }

    fn edit<'a>(&'a self, edit: &'a editor::Edit) -> TextEdit<'a> {
        let Range { file, from, to } = self.range(&edit.location);
        TextEdit { file, from, to, insert: &edit.new_text }
    }
}

#[wasm_bindgen]
impl Workspace {
    /// Analyses the rule files (checked together, as `check` and `Engine.compile` do).
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "RuleFiles")] files: JsValue) -> Result<Workspace, JsValue> {
        let files = rule_files(files)?;
        let leads = files.iter().map(|(_, text)| u32::from(text.starts_with('\u{FEFF}'))).collect();
        let mut sources = Sources::new();
        for (name, text) in files {
            sources.add(name, text);
        }
        Ok(Workspace { analysis: Analysis::new(sources), leads })
    }

    /// What the name at `offset` of `file` is, in `lang` ("zh", the default, or "en"); null
    /// where there is no name.
    #[wasm_bindgen(unchecked_return_type = "Hover | null")]
    pub fn hover(
        &self,
        file: &str,
        offset: u32,
        #[wasm_bindgen(unchecked_optional_param_type = "\"zh\" | \"en\"")] lang: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (id, lang) = (self.file(file)?, lang_of(&lang)?);
        let found = editor::hover(&self.analysis, id, self.offset(id, offset)?, lang);
        to_js(&found.as_ref().map(|h| {
            let Range { from, to, .. } = self.range(&h.location);
            Hover { markdown: &h.markdown, from, to }
        }))
    }

    /// Where the name at `offset` of `file` is declared, perhaps in another file; null where
    /// there is no name.
    #[wasm_bindgen(unchecked_return_type = "Range | null")]
    pub fn definition(&self, file: &str, offset: u32) -> Result<JsValue, JsValue> {
        let id = self.file(file)?;
        to_js(&self.analysis.definition(id, self.offset(id, offset)?).map(|l| self.range(&l)))
    }

    /// The declaration and every use of the name at `offset` of `file`, file by file.
    #[wasm_bindgen(unchecked_return_type = "Range[]")]
    pub fn references(&self, file: &str, offset: u32) -> Result<JsValue, JsValue> {
        let id = self.file(file)?;
        let found = self.analysis.references(id, self.offset(id, offset)?);
        to_js(&found.iter().map(|l| self.range(l)).collect::<Vec<_>>())
    }

    /// What may be written at `offset` of `file`: keywords at the start of a line, else the names
    /// in scope and the built-ins. The editor completes the word before `offset`.
    #[wasm_bindgen(unchecked_return_type = "Completion[]")]
    pub fn completion(&self, file: &str, offset: u32) -> Result<JsValue, JsValue> {
        let id = self.file(file)?;
        to_js(&editor::completion(&self.analysis, id, self.offset(id, offset)?))
    }

    /// The quick fixes ("did you mean", full-width punctuation) of the diagnostics of `file` that
    /// overlap `start..end`, titled in `lang` ("zh", the default, or "en").
    #[wasm_bindgen(js_name = codeActions, unchecked_return_type = "CodeAction[]")]
    pub fn code_actions(
        &self,
        file: &str,
        start: u32,
        end: u32,
        #[wasm_bindgen(unchecked_optional_param_type = "\"zh\" | \"en\"")] lang: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (id, lang) = (self.file(file)?, lang_of(&lang)?);
        let (start, end) = (self.offset(id, start)?, self.offset(id, end)?);
        let actions = editor::code_actions(&self.analysis, id, start, end, lang);
        to_js(
            &actions
                .iter()
                .map(|a| CodeAction {
                    title: &a.title,
                    fixes: a.fixes,
                    edits: a.edits.iter().map(|e| self.edit(e)).collect(),
                })
                .collect::<Vec<_>>(),
        )
    }

    /// The edits that rename the name at `offset` of `file` to `newName`, in every file. Throws an
    /// EligoError (kind "rename", `messages` in both languages, `message` in `lang`) when there is
    /// nothing to rename, the new name is not a name, or it is taken.
    #[wasm_bindgen(unchecked_return_type = "TextEdit[]")]
    pub fn rename(
        &self,
        file: &str,
        offset: u32,
        #[wasm_bindgen(js_name = newName)] new_name: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "\"zh\" | \"en\"")] lang: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (id, lang) = (self.file(file)?, lang_of(&lang)?);
        match editor::rename(&self.analysis, id, self.offset(id, offset)?, new_name) {
            Ok(edits) => to_js(&edits.iter().map(|e| self.edit(e)).collect::<Vec<_>>()),
            Err(error) => {
                let reason = match error {
                    RenameError::NothingToRename => "nothingToRename",
                    RenameError::NotAName { .. } => "notAName",
                    RenameError::Collides { .. } => "collides",
                };
                Err(eligo_error_in("rename", reason, lang, |lang| error.message(lang), None))
            }
        }
    }

    /// The outline of `file`: its declarations and examples, in order.
    #[wasm_bindgen(unchecked_return_type = "DocumentSymbol[]")]
    pub fn symbols(&self, file: &str) -> Result<JsValue, JsValue> {
        let symbols = self.analysis.symbols(self.file(file)?);
        to_js(
            &symbols
                .iter()
                .map(|s| DocumentSymbol {
                    name: &s.name,
                    kind: s.kind,
                    range: self.range(&s.location),
                    selection: self.range(&s.selection),
                })
                .collect::<Vec<_>>(),
        )
    }
}

/// `text` laid out as `eligo fmt` does. Throws an EligoError (kind "compile", with the syntax
/// errors as `diagnostics` in `lang`, "zh" by default) when the text does not parse.
#[wasm_bindgen]
pub fn format(
    text: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "{ lang?: \"zh\" | \"en\" }")] options: Option<js_sys::Object>,
) -> Result<String, JsValue> {
    let lang = super::diagnostics_lang(&options.map_or(JsValue::UNDEFINED, Into::into))?;
    eligo::format::format(text).map_err(|diagnostics| {
        let mut sources = Sources::new();
        sources.add("rules.rules", text);
        let positioned: Vec<_> = diagnostics.iter().map(|d| position(&sources, d, lang)).collect();
        let message = match lang {
            Lang::Zh => "规则有语法错误，改正后才能排版",
            Lang::En => "the rules have syntax errors: fix them to format the file",
        };
        eligo_error("compile", message, to_js(&positioned).ok().map(|d| ("diagnostics", d)))
    })
}
