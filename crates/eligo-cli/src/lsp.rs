//! `eligo lsp`: a Language Server Protocol server over stdio, on the compiler's editor services
//! (`eligo::editor`). Documents are synchronised whole. A document's rule set is every `.rules`
//! file under the nearest folder above it that holds a `ruleset.rules` (open documents as the
//! editor has them, the others as on disk), or the document alone when there is none.
//!
//! lsp-server and lsp-types are rust-analyzer's: synchronous, a reader and a writer thread, no
//! async runtime (the services are plain functions, nothing to await).

use eligo::editor::{self, Analysis, CompletionKind, Location, SymbolKind};
use eligo::source::{FileId, Sources};
use eligo::vocabulary::Lang;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

pub fn run() -> ExitCode {
    let (connection, io) = Connection::stdio();
    let clean = serve(&connection).unwrap_or_else(|error| {
        tell!("eligo lsp: {error}");
        false
    });
    drop(connection);
    // The reader's error (the client closed stdin, sent what is not JSON-RPC) ends the session.
    if let Err(error) = io.join() {
        tell!("eligo lsp: {error}");
    }
    // The protocol: exit 0 after a shutdown, 1 otherwise.
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Serves until `shutdown` and `exit` (true) or until the client goes away (false).
fn serve(connection: &Connection) -> Result<bool, lsp_server::ProtocolError> {
    let (id, params) = connection.initialize_start()?;
    let lang = language(&params);
    let capabilities = lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(lsp::TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions::default()),
        rename_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Simple(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        ..lsp::ServerCapabilities::default()
    };
    let initialized = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "eligo", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, initialized)?;
    let mut server = Server { documents: BTreeMap::new(), lang };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(true);
                }
                let id = request.id.clone();
                let response = match server.request(request) {
                    Ok(result) => Response::new_ok(id, result),
                    Err(Refusal(code, message)) => Response::new_err(id, code as i32, message),
                };
                send(connection, response.into());
            }
            Message::Notification(notification) => {
                for published in server.notification(notification) {
                    send(connection, published.into());
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(false)
}

fn send(connection: &Connection, message: Message) {
    // The writer has gone only when the client has: the loop then ends on its own.
    let _ = connection.sender.send(message);
}

/// The language of diagnostics and hovers: `initializationOptions.lang`, else the client's
/// locale (zh…: Chinese), else Chinese, as the other commands.
fn language(params: &Value) -> Lang {
    let chosen = params.pointer("/initializationOptions/lang").and_then(Value::as_str);
    let locale = params.get("locale").and_then(Value::as_str);
    match chosen.or(locale) {
        Some(lang) if !lang.to_ascii_lowercase().starts_with("zh") => Lang::En,
        _ => Lang::Zh,
    }
}

/// An error response: its code and message.
struct Refusal(ErrorCode, String);

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal(ErrorCode::InvalidParams, message.into())
}

struct Server {
    /// The open documents by URI, as the editor has them.
    documents: BTreeMap<String, String>,
    lang: Lang,
}

/// A document's rule set compiled: the analysis, the URI of each of its files, and the document's.
struct Built {
    analysis: Analysis,
    uris: Vec<lsp::Uri>,
    file: FileId,
}

impl Built {
    fn location(&self, location: &Location) -> Option<lsp::Location> {
        Some(lsp::Location { uri: self.uris.get(location.file as usize)?.clone(), range: range(location) })
    }

    fn offset(&self, position: lsp::Position) -> Result<usize, Refusal> {
        self.analysis
            .offset(self.file, position.line as usize, position.character as usize)
            .ok_or_else(|| invalid(format!("no position {}:{} in the document", position.line, position.character)))
    }

    /// Edits as document changes, file by file in order (`changes` is a hash map: its order
    /// would change from run to run).
    fn edits(&self, edits: Vec<editor::Edit>) -> lsp::WorkspaceEdit {
        let mut by_file: BTreeMap<FileId, Vec<lsp::OneOf<lsp::TextEdit, lsp::AnnotatedTextEdit>>> = BTreeMap::new();
        for edit in edits {
            by_file.entry(edit.location.file).or_default().push(lsp::OneOf::Left(text_edit(edit)));
        }
        let changes = by_file
            .into_iter()
            .filter_map(|(file, edits)| {
                let uri = self.uris.get(file as usize)?.clone();
                let text_document = lsp::OptionalVersionedTextDocumentIdentifier { uri, version: None };
                Some(lsp::TextDocumentEdit { text_document, edits })
            })
            .collect();
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(changes)),
            ..lsp::WorkspaceEdit::default()
        }
    }
}

fn text_edit(edit: editor::Edit) -> lsp::TextEdit {
    lsp::TextEdit { range: range(&edit.location), new_text: edit.new_text }
}

/// The protocol's 0-based line and UTF-16 character from the engine's 1-based ones.
fn range(location: &Location) -> lsp::Range {
    range_of(location.start, location.end)
}

fn range_of(start: eligo::source::Position, end: eligo::source::Position) -> lsp::Range {
    let at = |p: eligo::source::Position| lsp::Position {
        line: p.line.saturating_sub(1) as u32,
        character: p.utf16_column.saturating_sub(1) as u32,
    };
    lsp::Range { start: at(start), end: at(end) }
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, Refusal> {
    serde_json::from_value(value).map_err(|error| invalid(format!("malformed parameters: {error}")))
}

fn json(value: impl serde::Serialize) -> Result<Value, Refusal> {
    serde_json::to_value(value).map_err(|error| Refusal(ErrorCode::InternalError, error.to_string()))
}

impl Server {
    fn request(&mut self, request: Request) -> Result<Value, Refusal> {
        use lsp::request::{self as r, Request as _};
        let lang = self.lang;
        match request.method.as_str() {
            r::HoverRequest::METHOD => {
                let p: lsp::HoverParams = params(request.params)?;
                let built = self.build(&p.text_document_position_params.text_document.uri)?;
                let offset = built.offset(p.text_document_position_params.position)?;
                json(editor::hover(&built.analysis, built.file, offset, lang).map(|hover| lsp::Hover {
                    contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: hover.markdown,
                    }),
                    range: Some(range(&hover.location)),
                }))
            }
            r::GotoDefinition::METHOD => {
                let p: lsp::GotoDefinitionParams = params(request.params)?;
                let built = self.build(&p.text_document_position_params.text_document.uri)?;
                let offset = built.offset(p.text_document_position_params.position)?;
                let found = built.analysis.definition(built.file, offset);
                json(found.and_then(|l| built.location(&l)).map(lsp::GotoDefinitionResponse::Scalar))
            }
            r::References::METHOD => {
                let p: lsp::ReferenceParams = params(request.params)?;
                let built = self.build(&p.text_document_position.text_document.uri)?;
                let offset = built.offset(p.text_document_position.position)?;
                let declaration = built.analysis.definition(built.file, offset);
                let found = built.analysis.references(built.file, offset).into_iter();
                let kept = found.filter(|l| p.context.include_declaration || Some(l) != declaration.as_ref());
                json(kept.filter_map(|l| built.location(&l)).collect::<Vec<_>>())
            }
            r::Completion::METHOD => {
                let p: lsp::CompletionParams = params(request.params)?;
                let built = self.build(&p.text_document_position.text_document.uri)?;
                let offset = built.offset(p.text_document_position.position)?;
                let items: Vec<lsp::CompletionItem> = editor::completion(&built.analysis, built.file, offset)
                    .into_iter()
                    .map(|c| lsp::CompletionItem {
                        label: c.label,
                        kind: Some(completion_kind(c.kind)),
                        detail: c.detail,
                        documentation: c.documentation.map(lsp::Documentation::String),
                        ..lsp::CompletionItem::default()
                    })
                    .collect();
                json(items)
            }
            r::Rename::METHOD => {
                let p: lsp::RenameParams = params(request.params)?;
                let built = self.build(&p.text_document_position.text_document.uri)?;
                let offset = built.offset(p.text_document_position.position)?;
                match editor::rename(&built.analysis, built.file, offset, &p.new_name) {
                    Ok(edits) => json(built.edits(edits)),
                    Err(refused) => Err(Refusal(ErrorCode::RequestFailed, refused.message(lang))),
                }
            }
            r::Formatting::METHOD => {
                let p: lsp::DocumentFormattingParams = params(request.params)?;
                let built = self.build(&p.text_document.uri)?;
                json(editor::formatting(&built.analysis, built.file).into_iter().map(text_edit).collect::<Vec<_>>())
            }
            r::CodeActionRequest::METHOD => {
                let p: lsp::CodeActionParams = params(request.params)?;
                let built = self.build(&p.text_document.uri)?;
                let (start, end) = (built.offset(p.range.start)?, built.offset(p.range.end)?);
                let actions: Vec<lsp::CodeActionOrCommand> =
                    editor::code_actions(&built.analysis, built.file, start, end.max(start), lang)
                        .into_iter()
                        .map(|action| {
                            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                                title: action.title,
                                kind: Some(lsp::CodeActionKind::QUICKFIX),
                                edit: Some(built.edits(action.edits)),
                                is_preferred: Some(true),
                                ..lsp::CodeAction::default()
                            })
                        })
                        .collect();
                json(actions)
            }
            r::DocumentSymbolRequest::METHOD => {
                let p: lsp::DocumentSymbolParams = params(request.params)?;
                let built = self.build(&p.text_document.uri)?;
                let symbols: Vec<lsp::DocumentSymbol> = built
                    .analysis
                    .symbols(built.file)
                    .into_iter()
                    .map(|s| {
                        #[allow(deprecated)] // `deprecated` is a field the protocol keeps; it must be given.
                        lsp::DocumentSymbol {
                            name: s.name,
                            detail: None,
                            kind: symbol_kind(s.kind),
                            tags: None,
                            deprecated: None,
                            range: range(&s.location),
                            selection_range: range(&s.selection),
                            children: None,
                        }
                    })
                    .collect();
                json(lsp::DocumentSymbolResponse::Nested(symbols))
            }
            method => Err(Refusal(ErrorCode::MethodNotFound, format!("eligo lsp does not answer {method}"))),
        }
    }

    /// Applies a document notification; returns the diagnostics to publish.
    fn notification(&mut self, notification: Notification) -> Vec<Notification> {
        use lsp::notification::{self as n, Notification as _};
        let changed = match notification.method.as_str() {
            n::DidOpenTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidOpenTextDocumentParams>(notification.params) else { return Vec::new() };
                self.documents.insert(p.text_document.uri.as_str().to_string(), p.text_document.text);
                p.text_document.uri
            }
            n::DidChangeTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidChangeTextDocumentParams>(notification.params) else { return Vec::new() };
                // Full sync: the last change is the whole text.
                let Some(change) = p.content_changes.into_iter().last() else { return Vec::new() };
                let key = p.text_document.uri.as_str().to_string();
                if !self.documents.contains_key(&key) {
                    return Vec::new();
                }
                self.documents.insert(key, change.text);
                p.text_document.uri
            }
            n::DidCloseTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidCloseTextDocumentParams>(notification.params) else { return Vec::new() };
                self.documents.remove(p.text_document.uri.as_str());
                // A closed document's diagnostics are cleared.
                let cleared = lsp::PublishDiagnosticsParams::new(p.text_document.uri, Vec::new(), None);
                return vec![Notification::new(n::PublishDiagnostics::METHOD.into(), cleared)];
            }
            _ => return Vec::new(),
        };
        let Ok(built) = self.build(&changed) else { return Vec::new() };
        // Every open document of the rule set: a change in one file can fix or break another.
        built
            .uris
            .iter()
            .enumerate()
            .filter(|(_, uri)| self.documents.contains_key(uri.as_str()))
            .map(|(file, uri)| {
                let diagnostics =
                    built.analysis.diagnostics(file as FileId, self.lang).iter().map(diagnostic).collect();
                let published = lsp::PublishDiagnosticsParams::new(uri.clone(), diagnostics, None);
                Notification::new(n::PublishDiagnostics::METHOD.into(), published)
            })
            .collect()
    }

    /// Compiles the rule set of the open document `uri`.
    fn build(&self, uri: &lsp::Uri) -> Result<Built, Refusal> {
        let Some(text) = self.documents.get(uri.as_str()) else {
            return Err(invalid(format!("{} is not open", uri.as_str())));
        };
        let own = path_of(uri);
        let root = own.as_deref().and_then(ruleset_root);
        let others = match root.as_deref().map(|root| crate::files::find(&[root.to_path_buf()], crate::Lang::En)) {
            Some(Ok(paths)) => paths,
            _ => Vec::new(),
        };
        let open: BTreeMap<PathBuf, (&String, &String)> = self
            .documents
            .iter()
            .filter_map(|(key, text)| Some((path_of(&lsp::Uri::from_str(key).ok()?)?, (key, text))))
            .collect();
        let mut sources = Sources::new();
        let mut uris = Vec::new();
        let mut file = None;
        for path in others {
            let (uri_of, text) = match open.get(&path) {
                Some((key, text)) => (lsp::Uri::from_str(key).ok(), (*text).clone()),
                // A file that cannot be read now is left out: `eligo check` says why.
                None => (uri_for(&path), std::fs::read_to_string(&path).unwrap_or_default()),
            };
            let Some(uri_of) = uri_of else { continue };
            if Some(&path) == own.as_ref() {
                file = Some(sources.files.len() as FileId);
            }
            sources.add(path.display().to_string(), text);
            uris.push(uri_of);
        }
        let file = match file {
            Some(file) => file,
            None => {
                let name = own.map_or_else(|| uri.as_str().to_string(), |path| path.display().to_string());
                uris.push(uri.clone());
                sources.add(name, text.clone())
            }
        };
        Ok(Built { analysis: Analysis::new(sources), uris, file })
    }
}

/// The folder above `path` holding a `ruleset.rules`.
fn ruleset_root(path: &Path) -> Option<PathBuf> {
    path.ancestors().skip(1).find(|folder| folder.join("ruleset.rules").is_file()).map(Path::to_path_buf)
}

/// The file a `file:` URI names.
fn path_of(uri: &lsp::Uri) -> Option<PathBuf> {
    let path = uri.as_str().strip_prefix("file://")?;
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut bytes = Vec::with_capacity(path.len());
    let mut rest = path.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        let hex = |i: usize| tail.get(i).and_then(|b| (*b as char).to_digit(16));
        match (byte, hex(0), hex(1)) {
            (b'%', Some(high), Some(low)) => {
                bytes.push((high * 16 + low) as u8);
                rest = tail.get(2..).unwrap_or_default();
            }
            _ => {
                bytes.push(byte);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// The `file:` URI of a path (bytes other than unreserved ones and `/` percent-encoded).
fn uri_for(path: &Path) -> Option<lsp::Uri> {
    let mut uri = String::from("file://");
    for byte in path.to_str()?.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    lsp::Uri::from_str(&uri).ok()
}

fn diagnostic(found: &eligo::render::Positioned) -> lsp::Diagnostic {
    let message = match &found.help {
        Some(help) => format!("{}\n{help}", found.message),
        None => found.message.clone(),
    };
    lsp::Diagnostic {
        range: range_of(found.start, found.end),
        severity: Some(match found.severity {
            eligo::diagnostic::Severity::Error => lsp::DiagnosticSeverity::ERROR,
            eligo::diagnostic::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(found.code.to_string())),
        source: Some("eligo".into()),
        message,
        ..lsp::Diagnostic::default()
    }
}

fn completion_kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Input => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Param => lsp::CompletionItemKind::CONSTANT,
        CompletionKind::Let => lsp::CompletionItemKind::VALUE,
        CompletionKind::Table => lsp::CompletionItemKind::STRUCT,
        CompletionKind::Field => lsp::CompletionItemKind::FIELD,
        CompletionKind::Function => lsp::CompletionItemKind::FUNCTION,
    }
}

fn symbol_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Ruleset => lsp::SymbolKind::PACKAGE,
        SymbolKind::Record => lsp::SymbolKind::STRUCT,
        SymbolKind::Input => lsp::SymbolKind::VARIABLE,
        SymbolKind::Param => lsp::SymbolKind::CONSTANT,
        SymbolKind::Let => lsp::SymbolKind::FIELD,
        SymbolKind::Table => lsp::SymbolKind::ARRAY,
        SymbolKind::Policy => lsp::SymbolKind::CLASS,
        SymbolKind::Group => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Example => lsp::SymbolKind::EVENT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_and_paths_round_trip() {
        for path in ["/tmp/rules/a.rules", "/home/张三/规则 集/低保%.rules", "/a/b#c?.rules"] {
            let uri = uri_for(Path::new(path));
            assert_eq!(uri.as_ref().and_then(path_of), Some(PathBuf::from(path)), "{uri:?}");
        }
        // As VS Code writes them: lower-case escapes.
        let uri = lsp::Uri::from_str("file:///home/%e5%bc%a0/a.rules").ok();
        assert_eq!(uri.as_ref().and_then(path_of), Some(PathBuf::from("/home/张/a.rules")));
        let not_a_file = lsp::Uri::from_str("untitled:Untitled-1").ok();
        assert_eq!(not_a_file.as_ref().and_then(path_of), None);
    }
}
