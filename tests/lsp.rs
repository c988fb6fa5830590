//! `eligo lsp` driven over JSON-RPC as an editor drives it: every service, the protocol's
//! positions (0-based lines, UTF-16 characters), refusals as error responses, and a clean exit.
//! Every read has a timeout, so that a server that hangs fails the test instead of blocking it.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Notifications that arrived while a response was awaited.
    pending: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_eligo"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("eligo lsp starts");
        let stdout = child.stdout.take().expect("its stdout");
        let stdin = child.stdin.take();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Client { child, stdin, messages, pending: Vec::new(), next_id: 1 }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to eligo lsp");
        stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The whole response (`result` or `error`) to a request.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive(method);
            if message.get("id") == Some(&json!(id)) {
                return message;
            }
            self.pending.push(message);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn receive(&mut self, waiting_for: &str) -> Value {
        self.messages.recv_timeout(TIMEOUT).unwrap_or_else(|_| panic!("no answer to {waiting_for} in {TIMEOUT:?}"))
    }

    /// The diagnostics next published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let at = self
                .pending
                .iter()
                .position(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri);
            if let Some(at) = at {
                let message = self.pending.remove(at);
                return message["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            }
            let message = self.receive("publishDiagnostics");
            self.pending.push(message);
        }
    }
}

/// One message with its Content-Length framing; none at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn position(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position(line, character) })
}

fn open(client: &mut Client, uri: &str, text: &str) {
    let document = json!({ "uri": uri, "languageId": "eligo", "version": 1, "text": text });
    client.notify("textDocument/didOpen", json!({ "textDocument": document }));
}

const VALID: &str = "\
input 年龄: int
  label \"年龄\" en \"Age\"
input birth_date: date
  label \"出生日期\" en \"Date of birth\"

let 周岁 = age(birth_date, today)
  label \"周岁\" en \"Age in years\"

policy p \"补贴\" en \"Allowance\"
  require 年龄 >= 65 and 周岁 >= 65 \"年满65周岁\" en \"Aged 65 or over\"
  amount monthly = 75

example \"e\" on 2025-01-01
  given 年龄 = 70, birth_date = 1950-01-01
  expect p eligible, amount = 75
";

#[test]
fn an_editor_drives_every_service() {
    let dir = std::env::temp_dir().join(format!("eligo-lsp-{}", std::process::id()));
    let uri = |name: &str| format!("file://{}/{name}", dir.display());
    let (valid, broken) = (uri("valid.rules"), uri("broken.rules"));
    let mut client = Client::start();

    let initialized =
        client.request("initialize", json!({ "capabilities": {}, "initializationOptions": { "lang": "en" } }));
    for capability in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "completionProvider",
        "renameProvider",
        "documentFormattingProvider",
        "codeActionProvider",
        "documentSymbolProvider",
    ] {
        assert!(!initialized["capabilities"][capability].is_null(), "{capability}: {initialized}");
    }
    assert_eq!(initialized["capabilities"]["textDocumentSync"], 1, "full sync");
    client.notify("initialized", json!({}));

    // Diagnostics on open: none for the valid file, the typo's for the other.
    open(&mut client, &valid, VALID);
    assert_eq!(client.diagnostics(&valid), Vec::<Value>::new());
    let typo = VALID.replace("require 年龄 >=", "require 年令 >=");
    open(&mut client, &broken, &typo);
    let found = client.diagnostics(&broken);
    let codes: Vec<&Value> = found.iter().map(|d| &d["code"]).collect();
    // The misspelt use, and the input it no longer uses.
    assert_eq!(codes, [&json!("W0101"), &json!("E0201")], "{found:?}");
    let typo = &found[1];
    // Line 10, after "  require ": UTF-16 characters, 0-based.
    assert_eq!(typo["range"], json!({ "start": position(9, 10), "end": position(9, 12) }));
    assert!(typo["message"].as_str().unwrap_or("").contains("did you mean `年龄`?"), "{found:?}");

    // The quick fix of "did you mean".
    let range = json!({ "start": position(9, 10), "end": position(9, 12) });
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": broken }, "range": range, "context": { "diagnostics": [typo] } }),
    );
    assert_eq!(actions[0]["title"], "Replace `年令` with `年龄`", "{actions}");
    assert_eq!(actions[0]["kind"], "quickfix");
    let fix = json!([{ "textDocument": { "uri": broken, "version": null }, "edits": [{ "range": range, "newText": "年龄" }] }]);
    assert_eq!(actions[0]["edit"]["documentChanges"], fix);

    // A change that fixes it clears the diagnostics.
    let change = json!({ "textDocument": { "uri": broken, "version": 2 }, "contentChanges": [{ "text": VALID }] });
    client.notify("textDocument/didChange", change);
    assert_eq!(client.diagnostics(&broken), Vec::<Value>::new());

    // Hover on an input and on a built-in.
    let hover = client.request("textDocument/hover", at(&valid, 9, 11));
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert_eq!(hover["contents"]["value"], "```\ninput 年龄: int\n```\n\n年龄 — Age");
    assert_eq!(hover["range"], json!({ "start": position(9, 10), "end": position(9, 12) }));
    let hover = client.request("textDocument/hover", at(&valid, 5, 10));
    assert_eq!(hover["contents"]["value"], "```\nage(date, date) → int\n```\nUsage: `age(birth_date, today)`");
    assert_eq!(client.request("textDocument/hover", at(&valid, 1, 3)), Value::Null, "a keyword");

    // Definition and references of the definition 周岁.
    let definition = client.request("textDocument/definition", at(&valid, 9, 24));
    assert_eq!(definition, json!({ "uri": valid, "range": { "start": position(5, 4), "end": position(5, 6) } }));
    let mut references = at(&valid, 9, 24);
    references["context"] = json!({ "includeDeclaration": true });
    let found = client.request("textDocument/references", references.clone());
    let lines: Vec<&Value> = found.as_array().into_iter().flatten().map(|l| &l["range"]["start"]["line"]).collect();
    assert_eq!(lines, [&json!(5), &json!(9)]);
    references["context"] = json!({ "includeDeclaration": false });
    assert_eq!(client.request("textDocument/references", references).as_array().map(Vec::len), Some(1));

    // Completion inside the condition: the names in scope and the built-ins.
    let items = client.request("textDocument/completion", at(&valid, 9, 11));
    let labels: Vec<&str> = items.as_array().into_iter().flatten().filter_map(|i| i["label"].as_str()).collect();
    for expected in ["年龄", "birth_date", "周岁", "age", "sum"] {
        assert!(labels.contains(&expected), "{expected} in {labels:?}");
    }
    let age = items.as_array().into_iter().flatten().find(|i| i["label"] == "age").cloned().unwrap_or_default();
    assert_eq!((age["kind"].clone(), age["detail"].clone()), (json!(3), json!("age(date, date) → int")));

    // Rename: every occurrence; a keyword refused as an error response.
    let mut rename = at(&valid, 0, 6);
    rename["newName"] = json!("岁数");
    let edit = client.request("textDocument/rename", rename.clone());
    assert_eq!(edit["documentChanges"][0]["textDocument"]["uri"], valid.as_str());
    let edits = edit["documentChanges"][0]["edits"].as_array().cloned().unwrap_or_default();
    let lines: Vec<Value> = edits.iter().map(|e| e["range"]["start"]["line"].clone()).collect();
    assert_eq!(lines, [json!(0), json!(9), json!(13)]);
    assert!(edits.iter().all(|e| e["newText"] == "岁数"));
    rename["newName"] = json!("policy");
    let refused = client.call("textDocument/rename", rename);
    assert_eq!(refused["error"]["code"], -32803, "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap_or("").contains("not a valid name"), "{refused}");

    // Formatting: one edit of the whole document.
    let messy = "input   x:int label \"x\" en \"x\"\n";
    open(&mut client, &uri("messy.rules"), messy);
    let _ = client.diagnostics(&uri("messy.rules"));
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri("messy.rules") }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        edits,
        json!([{ "range": { "start": position(0, 0), "end": position(1, 0) }, "newText": "input x: int\n  label \"x\" en \"x\"\n" }])
    );
    let formatted = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": valid }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(formatted, json!([]), "formatted already");

    // The outline.
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": valid } }));
    let names: Vec<&str> = symbols.as_array().into_iter().flatten().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["年龄", "birth_date", "周岁", "p", "e"]);
    assert_eq!(symbols[3]["selectionRange"], json!({ "start": position(8, 7), "end": position(8, 8) }));

    // Refusals are error responses, and the server answers on.
    let unknown = client.call("textDocument/hover", at(&uri("never-opened.rules"), 0, 0));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    for past_the_end in [at(&valid, 99, 0), at(&valid, 0, 999)] {
        let response = client.call("textDocument/definition", past_the_end);
        assert_eq!(response["error"]["code"], -32602, "{response}");
    }
    let malformed = client.call("textDocument/hover", json!({ "textDocument": 7 }));
    assert_eq!(malformed["error"]["code"], -32602, "{malformed}");
    let unknown_method = client.call("textDocument/inlayHint", json!({}));
    assert_eq!(unknown_method["error"]["code"], -32601, "{unknown_method}");
    client.notify("textDocument/didChange", json!({ "nonsense": true }));
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": broken } }));
    assert_eq!(client.diagnostics(&broken), Vec::<Value>::new(), "cleared on close");
    assert!(!client.request("textDocument/hover", at(&valid, 9, 11)).is_null());

    // Shutdown, then exit: status 0.
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = client.child.try_wait().expect("wait for eligo lsp") {
            break status;
        }
        assert!(started.elapsed() < TIMEOUT, "eligo lsp did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

/// A file of rules/ belongs to the rule set of rules/ruleset.rules: its names resolve in the
/// other files, read from disk, and the whole set checks without errors.
#[test]
fn a_file_of_a_rule_set_sees_the_other_files() {
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let path = rules.canonicalize().expect("rules/").join("national/childcare.rules");
    let text = std::fs::read_to_string(&path).expect("childcare.rules");
    let uri = format!("file://{}", path.display());
    let mut client = Client::start();
    client.request("initialize", json!({ "capabilities": {} }));
    client.notify("initialized", json!({}));
    open(&mut client, &uri, &text);
    let errors: Vec<Value> = client.diagnostics(&uri).into_iter().filter(|d| d["severity"] == 1).collect();
    assert_eq!(errors, Vec::<Value>::new());
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, line)| Some((i, line.find("sum(household")? + "sum(".len())))
        .expect("a sum over the household");
    let character = text.lines().nth(line).unwrap_or("")[..column].encode_utf16().count() as u32;
    let definition = client.request("textDocument/definition", at(&uri, line as u32, character));
    let target = definition["uri"].as_str().unwrap_or("");
    assert!(target.ends_with("/rules/common/inputs.rules"), "{definition}");
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let _ = client.child.wait();
}

#[test]
fn the_language_follows_the_options_then_the_locale() {
    for (params, expected) in [
        (json!({ "capabilities": {}, "locale": "zh-CN" }), "依据"),
        (json!({ "capabilities": {}, "locale": "en-GB" }), "Source"),
        (json!({ "capabilities": {}, "locale": "en", "initializationOptions": { "lang": "zh" } }), "依据"),
    ] {
        let mut client = Client::start();
        client.request("initialize", params);
        client.notify("initialized", json!({}));
        let uri = "file:///nowhere/a.rules";
        open(&mut client, uri, "param 标准: money = 100 source \"某文件\"\nlet x = 标准\n");
        // `x` is not used: a warning, in the language chosen.
        let warnings = client.diagnostics(uri);
        let message = warnings.first().and_then(|d| d["message"].as_str()).unwrap_or("").to_string();
        let chinese = message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) && !"标准".contains(c));
        assert_eq!(chinese, expected == "依据", "{message}");
        let hover = client.request("textDocument/hover", at(uri, 1, 9));
        assert!(hover["contents"]["value"].as_str().unwrap_or("").contains(expected), "{hover}");
        client.request("shutdown", Value::Null);
        client.notify("exit", Value::Null);
        let _ = client.child.wait();
    }
}
