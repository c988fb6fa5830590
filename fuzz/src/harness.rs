//! What each fuzz target does with its input. Plain Rust over the `eligo` API, with no
//! dependency but `eligo` and `serde_json`, so that tests/fuzz_corpus.rs can include this file and
//! replay the committed corpus on stable through exactly the same code.
//!
//! Besides "no panic, no hang, no stack overflow", each target checks what must hold of any
//! answer (a wrong answer is a finding too):
//! - the JSON functions always return JSON of the documented shape;
//! - `evaluate` with and without the trace, `decide`, `decide_many_json` and a second run agree
//!   on every status and amount (one engine, one answer);
//! - a report is never partial: every policy has a status; `undetermined` ⇔ a non-empty `missing`;
//!   `error` ⇔ an error message; a missing fact is never one the data gives; money is a string
//!   with two decimals;
//! - `check` finds an error exactly when `compile` fails, and every diagnostic points inside its
//!   file;
//! - (`differential`) the engine answers as the reference model does;
//! - (`bundle`) a signed bundle that is not byte for byte the one the trusted key signed never loads;
//! - (`format`) the formatter is idempotent and changes neither what parses nor the comments.

#[path = "generator.rs"]
pub mod generator;

use eligo::{ffi, Engine};
use serde_json::{Map, Value as Json};
use std::path::{Path, PathBuf};

/// The targets by name, as scripts/fuzz.sh and tests/fuzz_corpus.rs know them.
/// A fuzz target: what it does with one input.
pub type Target = fn(&[u8]);

pub const TARGETS: &[(&str, Target)] = &[
    ("rule_text", rule_text),
    ("facts", facts),
    ("structured", structured),
    ("api_json", api_json),
    ("program", program),
    ("differential", differential),
    ("bundle", bundle),
    ("format", format),
];

/// Rule texts longer than this are cut: the parser's cost grows with the text, and the size limit
/// (2 MiB) has its own test in tests/limits.rs.
const MAX_TEXT: usize = 64 * 1024;

// ───────────────────────────── 1. rule_text ─────────────────────────────

/// Arbitrary bytes as a rule file: parse and check (as `eligo check` and the playground do),
/// and, when the rules compile, their examples and an evaluation without data. An input that
/// starts with a byte no UTF-8 text starts with chooses a mode that reaches what short random
/// text does not: [`LONG_LINE`], [`DEEP`], [`LINE_BREAKS`].
pub fn rule_text(data: &[u8]) {
    match data.split_first() {
        Some((&LONG_LINE, rest)) => long_line(rest),
        Some((&DEEP, rest)) => deep(rest),
        Some((&LINE_BREAKS, rest)) => line_breaks(rest),
        _ => {
            let data = &data[..data.len().min(MAX_TEXT)];
            let text = String::from_utf8_lossy(data);
            on_the_page_stack(|| compile_and_use(&[("fuzz.rules", text.as_ref())], false));
        }
    }
}

/// Mode: `[LONG_LINE, n, text…]`: the text's first line, its line breaks taken out, repeated
/// until the line is longer than 64 KiB (and `n` KiB more), then the rest of the text: columns
/// past 65,535 in every diagnostic and in the renderer.
pub const LONG_LINE: u8 = 0xFD;
/// Mode: `[DEEP, construct, separator, depth…, text…]`: a nesting construct opened `depth` times
/// (two bytes, times four: up to 262,140), each behind a separator of the grammar, inside the
/// text: the depth limits, whatever stands before each level.
pub const DEEP: u8 = 0xFE;
/// Mode: `[LINE_BREAKS, which, text…]`: the text with all its line breaks written as LF, then
/// as one of the others: the diagnostics (codes, messages, lines, columns) and the answers must
/// not change, only the byte offsets.
pub const LINE_BREAKS: u8 = 0xFF;

/// Openers of everything that nests, in expressions and in example data.
const OPENERS: &[&str] = &["(", "[", "if true then 1 else ", "f(", "t(1, ", "if(", "not ", "- ", "1 + ", "{x = "];
/// What may stand before a level: the grammar's white space and line breaks, a comment, and each
/// operator and separator.
const SEPARATORS: &[&str] = &[
    " ", "\t", "\n", "\r\n", "\r", "\u{2028}", "\u{2029}", "\u{3000}", "\u{FEFF}", "// c\n", "+", "-", "*", "×", "/",
    "÷", ",", "(", "[", "not ", "and ", "or ", "==", "=", "!=", "<", ">=", "in ", "=>", "",
];
const BREAKS: &[&str] = &["\n", "\r\n", "\r", "\u{2028}", "\u{2029}"];

fn long_line(data: &[u8]) {
    let Some((&extra, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(&rest[..rest.len().min(MAX_TEXT)]);
    let (first, after) = text.split_once(['\n', '\r', '\u{2028}', '\u{2029}']).unwrap_or((&text, ""));
    if first.is_empty() {
        return;
    }
    let long = MAX_TEXT + usize::from(extra) * 1024;
    let line = first.repeat(long / first.len() + 1);
    let text = format!("{line}\n{after}");
    on_the_page_stack(|| compile_and_use(&[("fuzz.rules", text.as_str())], false));
}

fn deep(data: &[u8]) {
    let [construct, separator, high, low, rest @ ..] = data else { return };
    let opener = OPENERS[usize::from(*construct) % OPENERS.len()];
    let separator = SEPARATORS[usize::from(*separator) % SEPARATORS.len()];
    let depth = usize::from(u16::from_be_bytes([*high, *low])) * 4;
    let after = String::from_utf8_lossy(&rest[..rest.len().min(1024)]);
    let text = format!("let x = {}1{after}", format!("{separator}{opener}").repeat(depth));
    let diagnostics = on_the_page_stack(|| {
        compile_and_use(&[("fuzz.rules", text.as_str())], false);
        eligo::check(&[("fuzz.rules", text.as_str())])
    });
    // Too deep to read is an error, however the levels are written.
    let nests = !matches!(opener, "not " | "- " | "1 + ");
    if nests && depth > eligo::limits::MAX_NESTING {
        assert!(
            diagnostics.iter().any(|d| d.severity == eligo::diagnostic::Severity::Error),
            "{depth} levels accepted"
        );
    }
}

fn line_breaks(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(&rest[..rest.len().min(MAX_TEXT)]);
    let lf = text.replace("\r\n", "\n").replace(['\r', '\u{2028}', '\u{2029}'], "\n");
    let other = lf.replace('\n', BREAKS[usize::from(which) % BREAKS.len()]);
    let seen = |text: &str| {
        let files = [("fuzz.rules", text)];
        on_the_page_stack(|| {
            let engine = compile_and_use(&files, false);
            let diagnostics: Vec<_> = eligo::check(&files)
                .into_iter()
                .map(|d| {
                    let notes: Vec<_> = d.notes.into_iter().map(|n| (n.message, n.start)).collect();
                    (d.code, d.message, d.start, d.end, d.label, d.help, notes)
                })
                .collect();
            let answer = engine.map(|engine| answer(&engine, "2025-03-01", false));
            (diagnostics, answer)
        })
    };
    assert_eq!(seen(&lf), seen(&other), "another line break, another reading");
}

/// Runs `f` on a thread with the stack the WebAssembly module has (1 MiB) when fuzzing, so that
/// recursion deep enough to kill the module on the page is a crash here too, where the default
/// stack (8 MiB) would hide it. The replay on stable is an unoptimised build whose frames are
/// several times larger: 16 MiB there.
#[allow(unexpected_cfgs)]
pub fn on_the_page_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let stack = if cfg!(fuzzing) || !cfg!(debug_assertions) { 1 << 20 } else { 16 << 20 };
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().stack_size(stack).spawn_scoped(scope, f).expect("a thread");
        thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

// ───────────────────────────── 2. facts ─────────────────────────────

/// Arbitrary JSON data and dates against the rule sets of the repository (rules/, and the valid
/// fixtures, each its own rule set). Layout: one byte choosing the rule set, the language and
/// the trace; then the date up to a newline; then the data text.
pub fn facts(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else { return };
    let (date, text) = split_line(rest);
    with_rule_sets(|engines| {
        if engines.is_empty() {
            return;
        }
        let engine = &engines[choice as usize % engines.len()];
        evaluate_everywhere(engine, &text, &date, choice & 0x40 != 0, choice & 0x80 != 0);
        // The real rules under three-valued logic, for a quarter of the inputs (it costs several
        // evaluations).
        if choice & 0x30 == 0x30 {
            monotonic(engine, &text, &date);
        }
    });
}

// ───────────────────────────── 3. structured ─────────────────────────────

/// Rule sets generated from the grammar's shapes (see generator.rs): mostly well typed, so the
/// checker and the evaluator are reached, not only the parser; then data generated from the
/// same bytes, evaluated on a date near the dates the rules mention.
pub fn structured(data: &[u8]) {
    let generated = generator::generate(data);
    let files: Vec<(&str, &str)> = generated.files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    on_the_page_stack(|| {
        let Some(engine) = compile_and_use(&files, false) else { return };
        for (date, facts) in &generated.evaluations {
            evaluate_everywhere(&engine, facts, date, true, false);
            monotonic(&engine, facts, date);
        }
    });
}

/// Three-valued logic: a fact supplied never changes a status that was settled without it. Each
/// input the data gives is taken away in turn: every policy eligible, ineligible or not applicable
/// without it has the same status (and amount) with it, unless the fact makes it an error (the
/// rules cannot be applied to this citizen: an empty list's `min`, a parameter without a value on
/// the date, reached only with the fact; the error is shown rather than hidden by a relation).
fn monotonic(engine: &Engine, text: &str, date: &str) {
    let Ok(Json::Object(data)) = ffi::read_data(text) else { return };
    let Ok(full) = ffi::evaluate(engine, &Json::Object(data.clone()), date, ffi::options(None, false)) else { return };
    // Fewer facts: each input in turn, and a field of the first item of each list.
    let mut fewer_facts: Vec<(String, Map<String, Json>)> = Vec::new();
    for key in data.keys().take(4) {
        let mut fewer = data.clone();
        fewer.remove(key);
        fewer_facts.push((key.clone(), fewer));
        if let Some(Json::Object(item)) = data[key].get(0) {
            if let Some(field) = item.keys().next() {
                let mut fewer = data.clone();
                if let Some(Json::Object(item)) = fewer.get_mut(key).and_then(|list| list.get_mut(0)) {
                    item.remove(&field.clone());
                }
                fewer_facts.push((format!("{key}[0].{field}"), fewer));
            }
        }
    }
    for (key, fewer) in fewer_facts {
        let Ok(partial) = ffi::evaluate(engine, &Json::Object(fewer), date, ffi::options(None, false)) else {
            continue;
        };
        for (with, without) in full.policies.iter().zip(&partial.policies) {
            use eligo::vocabulary::Status::*;
            // Work limits are not monotonic: more data may be more work.
            if matches!(without.status, Eligible | Ineligible | NotApplicable) && with.status != Error {
                assert_eq!(
                    (with.status, with.outputs.get("amount")),
                    (without.status, without.outputs.get("amount")),
                    "{}: settled as {:?} without `{key}`, but giving it changes that",
                    with.id,
                    without.status
                );
            }
        }
    }
}

// ───────────────────────────── 4. api_json ─────────────────────────────

/// The functions the WebAssembly layer wraps, called the way it calls them: rule files as a map
/// of names to texts (`compile`, `check`), then `schema`, `policies`, `warnings`, `evaluate` on a
/// parsed JS-like value, `evaluateMany`, `decide`, `decideMany` (JSON text), `runExamples`. The
/// parts are separated by 0xFF bytes: file name, file text, … , then data, date and language.
/// With fewer than two files given, the rule set of rules/ is used and the text parts are data.
pub fn api_json(data: &[u8]) {
    let data = &data[..data.len().min(MAX_TEXT)];
    let parts: Vec<String> = data.split(|&b| b == 0xFF).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let part = |i: usize| parts.get(i).map_or("", String::as_str);
    let files: Vec<(String, String)> = parts
        .chunks(2)
        .take_while(|c| c.len() == 2 && c[0].ends_with(".rules"))
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect();
    let rest = files.len() * 2;
    let (data_text, date, lang) = (part(rest), part(rest + 1), part(rest + 2));
    let lang = if lang.is_empty() { None } else { Some(lang) };
    if files.is_empty() {
        with_rule_sets(|engines| {
            if let Some(engine) = engines.first() {
                api_calls(engine, data_text, date, lang);
            }
        });
        return;
    }
    on_the_page_stack(|| {
        if let Some(engine) = compile_and_use(&files, true) {
            api_calls(&engine, data_text, date, lang);
        }
    });
}

fn api_calls(engine: &Engine, data_text: &str, date: &str, lang: Option<&str>) {
    // `evaluate` and `decide` in wasm get a JS object, read without the text parser's checks:
    // serde_json stands in for it here.
    if let Ok(value) = serde_json::from_str::<Json>(data_text) {
        for trace in [false, true] {
            let result = ffi::evaluate(engine, &value, date, ffi::options(lang, trace));
            if let Ok(report) = &result {
                check_report_shape(&serde_json::to_value(report).expect("a report serialises"), &value);
            }
            let _ = serde_json::to_string(&result.map_err(|e| serde_json::to_value(e).expect("errors serialise")))
                .expect("serialises");
        }
        let _ = ffi::decide(engine, &value, date).map(|d| serde_json::to_string(&d).expect("decisions serialise"));
        // evaluateMany: an array of records, each its own result.
        if let Json::Array(records) = &value {
            for record in records.iter().take(8) {
                let _ = ffi::evaluate(engine, record, date, ffi::options(lang, false));
            }
        }
    }
    let out = ffi::evaluate_json(engine, data_text, date, ffi::options(lang, false));
    let out: Json = serde_json::from_str(&out).expect("evaluate_json returns JSON");
    assert!(out.get("ok").is_some() != out.get("error").is_some(), "evaluate_json: ok or error: {out}");
    match ffi::decide_many_json(engine, data_text, date) {
        Ok(text) => {
            let results: Json = serde_json::from_str(&text).expect("decide_many_json returns JSON");
            assert!(results.is_array(), "decide_many_json returns an array: {results}");
        }
        Err(error) => {
            serde_json::to_string(&error).expect("errors serialise");
        }
    }
}

/// The report for no data on `date` as JSON, without which rules decided it (their hash tells
/// programs apart that answer alike).
fn answer(engine: &Engine, date: &str, trace: bool) -> String {
    let report = ffi::evaluate(engine, &serde_json::json!({}), date, ffi::options(None, trace));
    let report = report.map(|report| eligo::report::Report { rules: None, ..report });
    serde_json::to_string(&report).expect("a report serialises")
}

// ───────────────────────────── 5. program ─────────────────────────────

/// Arbitrary bytes as the body of a precompiled rule set (`eligo build`, `Engine.load` in the
/// page), framed with a right header and checksum so that they reach the decoder and the
/// validation. Whatever loads is evaluated as a page would (on its stack), must answer like
/// itself twice, and must survive being written out and loaded again, answering the same.
pub fn program(data: &[u8]) {
    let bytes = eligo::precompiled::frame(&data[..data.len().min(MAX_TEXT)]);
    on_the_page_stack(|| {
        let Ok(engine) = Engine::load(&bytes, &eligo::Trust::development()) else { return };
        serde_json::to_string(&engine.schema()).expect("the schema serialises");
        serde_json::to_string(&engine.policies()).expect("policies serialise");
        let again = Engine::load(&engine.to_bytes(), &eligo::Trust::development())
            .expect("a loaded program loads again from its bytes");
        for date in policy_dates(&engine).into_iter().take(2) {
            evaluate_everywhere(&engine, "{}", &date, true, true);
            // Written out again, a program may take other bytes (postcard reads more than one
            // encoding of a number): the same answers, another hash.
            assert_eq!(
                answer(&engine, &date, false),
                answer(&again, &date, false),
                "the program written out again answers otherwise"
            );
        }
    });
}

// ───────────────────────────── 6. differential ─────────────────────────────

/// Rule sets and data generated as for `structured`, evaluated by the engine (full report, lean
/// `decide`, precompiled program) and by the reference model (crates/eligo-reference): every
/// difference the reference does not list as accepted or known is a finding. Built for speed:
/// no examples, one compilation, one long-lived worker thread with the page's stack.
pub fn differential(data: &[u8]) {
    let bytes = data.to_vec();
    let found = on_the_worker(move || {
        let verdicts = differential_verdicts(&bytes, RELEVANCE_EVERY);
        let differences: Vec<String> = verdicts.into_iter().flat_map(|v| v.differences).collect();
        if differences.is_empty() {
            None
        } else {
            Some(differences.join("\n"))
        }
    });
    if let Some(differences) = found {
        panic!("the engine and the reference differ:\n{differences}");
    }
}

/// The relevance of `missing` costs tens of reference evaluations, nine tenths of the cost of an
/// input when checked on each: the fuzz target checks it for one input in this many (the same
/// ones on every run), for ten times the executions.
const RELEVANCE_EVERY: u8 = 16;

/// What `differential` finds for `data`, one verdict per evaluation compared; `missing` is
/// checked for one input in `relevance_every`.
pub fn differential_verdicts(data: &[u8], relevance_every: u8) -> Vec<eligo_reference::compare::Verdict> {
    let generated = generator::generate(data);
    let relevance = data.iter().fold(0u8, |h, b| h.rotate_left(3) ^ b) % relevance_every.max(1) == 0;
    with_compiled(&generated.files, |(engine, loaded, reference)| {
        let mut verdicts = Vec::new();
        for (date, text) in &generated.evaluations {
            let Ok(facts) = serde_json::from_str::<Json>(text) else { continue };
            let facts = without_refused(engine, facts);
            // The date, and an edge of age and month arithmetic: the anniversary of a date the
            // data gives.
            let mut dates = vec![date.clone()];
            if let (Some(on), Some(born)) = (eligo::date::Date::parse(date), first_date(&facts)) {
                let anniversary = born.add_years(i64::from(on.year() - born.year()));
                dates.extend(anniversary.map(|d| d.to_string()));
            }
            for (i, date) in dates.iter().enumerate() {
                let relevance = relevance && i == 0;
                verdicts.push(eligo_reference::compare::compare(engine, loaded, reference, &facts, date, relevance));
            }
        }
        verdicts
    })
    .unwrap_or_default()
}

/// A rule set compiled by the engine, loaded from its bytes, and read by the reference.
type Compiled = (Engine, Engine, eligo_reference::Reference);

/// Runs `f` on the rule set of `files`, if it compiles. The last rule sets are kept: most
/// mutations of an input change the data, which the generator reads last, not the rules, and
/// compiling is most of the cost of an input.
fn with_compiled<T>(files: &[(String, String)], f: impl FnOnce(&Compiled) -> T) -> Option<T> {
    use std::cell::RefCell;
    const KEPT: usize = 64;
    thread_local! {
        static CACHE: RefCell<Vec<(u64, Option<Compiled>)>> = const { RefCell::new(Vec::new()) };
    }
    let key = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        files.hash(&mut hasher);
        hasher.finish()
    };
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let index = match cache.iter().position(|(k, _)| *k == key) {
            Some(index) => index,
            None => {
                let compiled = Engine::compile_with(files, false).ok().map(|engine| {
                    let reference = eligo_reference::Reference::of_compiled(files, engine.program());
                    let loaded = Engine::load(&engine.to_bytes(), &eligo::Trust::development())
                        .expect("a compiled program loads from its bytes");
                    (engine, loaded, reference)
                });
                if cache.len() >= KEPT {
                    cache.remove(0);
                }
                cache.push((key, compiled));
                cache.len() - 1
            }
        };
        cache[index].1.as_ref().map(f)
    })
}

/// The data without the inputs the engine refuses (the generator makes some wrong on purpose,
/// for the other targets): the rest is still worth comparing.
fn without_refused(engine: &Engine, facts: Json) -> Json {
    let Json::Object(mut map) = facts else { return facts };
    if let Err(eligo::EvaluateError::InvalidFacts { problems, .. }) = engine.facts(&Json::Object(map.clone())) {
        for problem in problems {
            let key = problem.path.split(['[', '.']).next().unwrap_or("");
            map.remove(key);
        }
    }
    Json::Object(map)
}

/// The first date the data gives, at the top or in a list's first item.
fn first_date(facts: &Json) -> Option<eligo::date::Date> {
    let Json::Object(map) = facts else { return None };
    let values = map.values().flat_map(|v| match v {
        Json::Array(items) => items.first().and_then(Json::as_object).map(|o| o.values().collect()).unwrap_or_default(),
        other => vec![other],
    });
    values.filter_map(Json::as_str).find_map(eligo::date::Date::parse)
}

type Job = Box<dyn FnOnce() -> Option<String> + Send>;

/// Runs `job` on one long-lived thread with the page's stack (see `on_the_page_stack`): a thread
/// per input would cost more than the evaluation. A panic there comes back as a panic here.
#[allow(unexpected_cfgs)]
fn on_the_worker(job: impl FnOnce() -> Option<String> + Send + 'static) -> Option<String> {
    use std::sync::mpsc::{channel, Receiver, Sender};
    use std::sync::{Mutex, OnceLock};
    type Worker = (Sender<Job>, Receiver<std::thread::Result<Option<String>>>);
    static WORKER: OnceLock<Mutex<Worker>> = OnceLock::new();
    let worker = WORKER.get_or_init(|| {
        let (jobs, inbox) = channel::<Job>();
        let (outbox, results) = channel();
        let stack = if cfg!(fuzzing) || !cfg!(debug_assertions) { 1 << 20 } else { 16 << 20 };
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn(move || {
                for job in inbox {
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    if outbox.send(result).is_err() {
                        break;
                    }
                }
            })
            .expect("a worker thread");
        Mutex::new((jobs, results))
    });
    let worker = worker.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    worker.0.send(Box::new(job)).expect("the worker takes jobs");
    match worker.1.recv().expect("the worker answers") {
        Ok(found) => found,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

// ───────────────────────────── shared ─────────────────────────────

/// Compiles `files` as the JSON API does, checks every diagnostic's position, and uses the
/// engine as an embedder would on its first screen, and as a precompiled program. With `with_check`, `check` is called too and
/// must find an error exactly when `compile` fails. Returns the engine.
pub fn compile_and_use<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)], with_check: bool) -> Option<Engine> {
    let compiled = Engine::compile(files);
    let diagnostics = match &compiled {
        Ok(engine) => engine.warnings().to_vec(),
        Err(error) => error.diagnostics.clone(),
    };
    check_positions(files, &diagnostics);
    let has_error = diagnostics.iter().any(|d| d.severity == eligo::diagnostic::Severity::Error);
    if with_check {
        let checked = eligo::check(files);
        check_positions(files, &checked);
        let check_error = checked.iter().any(|d| d.severity == eligo::diagnostic::Severity::Error);
        assert_eq!(check_error, compiled.is_err(), "check and compile disagree: {:?}", first_error(&checked));
    }
    match compiled {
        Ok(engine) => {
            assert!(!has_error, "compiled with an error: {:?}", first_error(&diagnostics));
            serde_json::to_string(&engine.schema()).expect("the schema serialises");
            serde_json::to_string(&engine.policies()).expect("policies serialise");
            let results = engine.run_examples();
            serde_json::to_string(&results).expect("example results serialise");
            for date in policy_dates(&engine).into_iter().take(if with_check { 3 } else { 1 }) {
                evaluate_everywhere(&engine, "{}", &date, false, true);
            }
            // Precompiled (`eligo build`), it is the same program: it loads from its bytes and
            // answers alike.
            let loaded = Engine::load(&engine.to_bytes(), &eligo::Trust::development())
                .expect("a compiled program loads from its bytes");
            for date in policy_dates(&engine).into_iter().take(1) {
                let report = |engine: &Engine| ffi::evaluate_json(engine, "{}", &date, ffi::options(None, true));
                assert_eq!(report(&engine), report(&loaded), "the precompiled program answers otherwise");
            }
            Some(engine)
        }
        Err(error) => {
            assert!(has_error, "compile failed without an error diagnostic: {}", error.message);
            assert!(!error.message.is_empty());
            None
        }
    }
}

fn check_positions<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)], diagnostics: &[eligo::render::Positioned]) {
    for d in diagnostics {
        // (Two files may have the same name through the API: the span is in one of them.)
        let mut named = files.iter().filter(|(name, _)| name.as_ref() == d.file).peekable();
        if named.peek().is_some() {
            let fits = named.any(|(_, text)| d.span.end as usize <= text.as_ref().len());
            assert!(d.span.start <= d.span.end && fits, "{} {}: span {:?} outside the file", d.code, d.message, d.span);
            assert!(d.start.line >= 1 && d.start.column >= 1, "{}: position {:?}", d.code, d.start);
        }
        assert!(!d.message.is_empty() && !d.rendered.is_empty(), "{}: an empty message", d.code);
    }
    serde_json::to_string(diagnostics).expect("diagnostics serialise");
}

fn first_error(diagnostics: &[eligo::render::Positioned]) -> Option<&eligo::render::Positioned> {
    diagnostics.iter().find(|d| d.severity == eligo::diagnostic::Severity::Error)
}

/// The dates worth evaluating on: the days policies start and end, and a day in between.
fn policy_dates(engine: &Engine) -> Vec<String> {
    let mut dates = vec!["2025-03-01".to_string()];
    for policy in &engine.program().policies {
        for date in [policy.effective_from, policy.effective_until].into_iter().flatten() {
            dates.push(date.to_string());
        }
    }
    dates.dedup();
    dates
}

/// Evaluates `text` on `date` by every entry point and checks that they agree.
pub fn evaluate_everywhere(engine: &Engine, text: &str, date: &str, trace: bool, en: bool) {
    let options = ffi::options(Some(if en { "en" } else { "zh" }), trace);
    let out = ffi::evaluate_json(engine, text, date, options);
    let out: Json = serde_json::from_str(&out).expect("evaluate_json returns JSON");
    let again: Json = serde_json::from_str(&ffi::evaluate_json(engine, text, date, options)).expect("JSON");
    assert_eq!(out, again, "the same data and date give the same answer");
    let many = ffi::decide_many_json(engine, &format!("[{text}]"), date);
    match (out.get("ok"), out.get("error")) {
        (Some(report), None) => {
            let data = ffi::read_data(text).expect("the data was read once, it reads again");
            check_report_shape(report, &data);
            // The trace changes what is explained, never what is decided.
            let other = ffi::evaluate(engine, &data, date, ffi::options(Some("zh"), !trace)).expect("evaluates again");
            let other = serde_json::to_value(&other).expect("a report serialises");
            assert_eq!(decisions_of(report), decisions_of(&other), "with and without the trace");
            // The lean path decides the same (it works out every output: one that is unknown or
            // fails decides the status as in the report).
            let decided = ffi::decide(engine, &data, date).expect("decide accepts what evaluate accepts");
            let decided = serde_json::to_value(&decided).expect("decisions serialise");
            assert_eq!(decisions_of(report), lean_decisions(&decided), "evaluate and decide");
            if let Ok(many) = many {
                let many: Json = serde_json::from_str(&many).expect("JSON");
                assert_eq!(many.get(0), Some(&decided), "decide_many_json and decide");
            }
        }
        (None, Some(error)) => {
            let kind = error.get("kind").and_then(Json::as_str).unwrap_or("");
            assert!(["invalidDate", "invalidJson", "invalidFacts"].contains(&kind), "an error kind: {error}");
            let message = error.get("message").and_then(Json::as_str).unwrap_or("");
            assert!(!message.is_empty(), "an error says why: {error}");
            if kind == "invalidFacts" {
                let problems = error.get("problems").and_then(Json::as_array).expect("problems listed");
                assert!(!problems.is_empty(), "invalid facts name at least one problem: {error}");
            }
            if let (Ok(many), "invalidFacts") = (many, kind) {
                let many: Json = serde_json::from_str(&many).expect("JSON");
                let first = many.get(0).expect("one result per record");
                assert!(first.get("error").is_some(), "decide_many_json refuses what evaluate refuses: {first}");
            }
        }
        _ => panic!("evaluate_json gives ok or error: {out}"),
    }
}

/// (id, status, amount) of each policy of a report.
fn decisions_of(report: &Json) -> Vec<(String, String, Option<String>)> {
    let policies = report["policies"].as_array().expect("policies");
    policies
        .iter()
        .map(|p| {
            let amount = p["outputs"].get("amount").and_then(Json::as_str).map(str::to_string);
            (p["id"].as_str().unwrap_or("").into(), p["status"].as_str().unwrap_or("").into(), amount)
        })
        .collect()
}

fn lean_decisions(decided: &Json) -> Vec<(String, String, Option<String>)> {
    decided
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap_or("").into(),
                d["status"].as_str().unwrap_or("").into(),
                d.get("amount").and_then(Json::as_str).map(str::to_string),
            )
        })
        .collect()
}

/// What every report must be, whatever the rules and the data.
fn check_report_shape(report: &Json, data: &Json) {
    let policies = report["policies"].as_array().expect("a report lists its policies");
    for p in policies {
        let id = p["id"].as_str().unwrap_or("?");
        let status = p["status"].as_str().expect("every policy has a status");
        let missing = p["missing"].as_array().expect("missing is a list");
        assert_eq!(status == "undetermined", !missing.is_empty(), "{id}: {status} with missing {missing:?}");
        assert_eq!(status == "error", p.get("error").is_some_and(|e| !e.is_null()), "{id}: {status} and its error");
        if status == "ineligible" {
            let failed = p["failed"].as_array().map_or(0, Vec::len);
            let excluded = p.get("excludedBy").is_some_and(|e| !e.is_null());
            assert!(failed > 0 || excluded, "{id}: ineligible says why");
        }
        if status != "eligible" {
            assert!(p["outputs"].as_object().is_none_or(|o| o.is_empty()), "{id}: outputs only when eligible");
        }
        for path in missing {
            let path = path.as_str().expect("a missing fact is a path");
            assert!(!given(data, path), "{id}: `{path}` is given, yet reported missing");
        }
        for key in ["amount", "fee", "waiver", "payable"] {
            if let Some(Json::String(money)) = p["outputs"].get(key) {
                if key != "waiver" {
                    assert!(is_money(money), "{id}: {key} = {money:?} is not money with two decimals");
                }
            }
        }
    }
    for ask in report["askNext"].as_array().expect("askNext is a list") {
        assert!(ask["settles"].as_u64().unwrap_or(0) >= 1, "askNext settles something: {ask}");
    }
}

/// Whether the data gives the fact at `path` (`name` or `list[3].field`): present and not null.
fn given(data: &Json, path: &str) -> bool {
    let (input, rest) = match path.find('[') {
        Some(i) => (&path[..i], Some(&path[i..])),
        None => (path, None),
    };
    let Some(value) = data.get(input).filter(|v| !v.is_null()) else { return false };
    let Some(rest) = rest else { return true };
    let Some((index, field)) = rest.strip_prefix('[').and_then(|r| r.split_once("].")) else { return true };
    let Ok(index) = index.parse::<usize>() else { return true };
    value.get(index).and_then(|item| item.get(field)).is_some_and(|v| !v.is_null())
}

fn is_money(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    match digits.split_once('.') {
        Some((whole, cents)) => {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && cents.len() == 2
                && cents.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// (first line, the rest), both as text.
fn split_line(data: &[u8]) -> (String, String) {
    let (line, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    (String::from_utf8_lossy(line).into_owned(), String::from_utf8_lossy(rest).into_owned())
}

// ───────────────────────────── the repository's rule sets ─────────────────────────────

thread_local! {
    static RULE_SETS: Vec<Engine> = load_rule_sets();
}

fn with_rule_sets(f: impl FnOnce(&[Engine])) {
    RULE_SETS.with(|engines| f(engines));
}

/// The repository: the folder that holds rules/ruleset.rules, from this crate or the fuzz crate.
pub fn repository() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().find(|dir| dir.join("rules/ruleset.rules").is_file()).unwrap_or(here).to_path_buf()
}

/// rules/ as one rule set, then each valid fixture as its own.
fn load_rule_sets() -> Vec<Engine> {
    let root = repository();
    let mut sets = Vec::new();
    let mut files = Vec::new();
    collect_rules(&root.join("rules"), &mut files);
    sets.push(files);
    let mut fixtures = Vec::new();
    collect_rules(&root.join("tests/fixtures/valid"), &mut fixtures);
    sets.extend(fixtures.into_iter().map(|file| vec![file]));
    sets.iter().filter_map(|files| Engine::compile(files).ok()).collect()
}

fn collect_rules(dir: &Path, found: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_rules(&path, found);
        } else if path.extension().is_some_and(|x| x == "rules") {
            if let Ok(text) = std::fs::read_to_string(&path) {
                found.push((path.display().to_string(), text));
            }
        }
    }
}

// ───────────────────────────── 7. bundle ─────────────────────────────

/// `bytes` changed by `edits`, three bytes each (what, where as a fraction of the length, which
/// byte): flip bits, insert, delete, cut.
fn edited(bytes: &[u8], edits: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    for edit in edits.chunks_exact(3) {
        let at = usize::from(edit[1]) * bytes.len() / 256;
        match edit[0] % 4 {
            0 if at < bytes.len() => bytes[at] ^= edit[2].max(1),
            1 => bytes.insert(at, edit[2]),
            2 if at < bytes.len() => {
                bytes.remove(at);
            }
            3 => bytes.truncate(at),
            _ => {}
        }
    }
    bytes
}

/// A signed bundle of a small rule set, and the keys of its test issuers (fixed seeds).
struct Signed {
    bytes: Vec<u8>,
    program: Vec<u8>,
    issuer: eligo::keys::SecretKey,
    trust: eligo::bundle::Trust,
}

fn signed() -> &'static Signed {
    static SIGNED: std::sync::OnceLock<Signed> = std::sync::OnceLock::new();
    SIGNED.get_or_init(|| {
        let rules = "ruleset fuzz \"模糊测试\"\ninput age: int\npolicy p \"政策\"\n  require age >= 60 \"年满60周岁\"\n  amount monthly = 100\n";
        let program = Engine::compile(&[("fuzz.rules", rules)]).expect("the bundle's rules compile").to_bytes();
        let key = |seed: u8| eligo::keys::SecretKey::from_seed(&format!("issuer {seed}"), [seed; 32]).expect("a key");
        let issuer = key(1);
        let issued = eligo::date::Date::from_ymd(2026, 12, 1).expect("a date");
        let bytes = eligo::bundle::seal(&program, "fuzz", 7, issued, &issuer).expect("the bundle seals");
        let trust = eligo::bundle::Trust::keys([issuer.public(), key(2).public()]).accepted_version(5);
        Signed { bytes, program, issuer, trust }
    })
}

/// The first byte chooses what the rest is:
/// - 0: a whole file, loaded as it is;
/// - 1: edits of the signed bundle (see `edited`);
/// - 2: edits of the part before the signature (header and manifest), which the trusted issuer
///   then signs, followed by the program: what the manifest reader must survive, since only a
///   signed manifest reaches it.
///
/// Whatever the bytes, nothing panics; a load that succeeds is of the very bundle that was signed
/// (modes 0 and 1), or of a manifest the issuer signed that agrees with its program (mode 2).
pub fn bundle(data: &[u8]) {
    let signed = signed();
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = match mode % 3 {
        0 => rest.to_vec(),
        1 => edited(&signed.bytes, rest),
        _ => {
            let header = &signed.bytes[..signed.bytes.len() - signed.program.len() - 65];
            let header = edited(header, rest);
            let mut bytes = header.clone();
            bytes.push(64);
            bytes.extend(signed.issuer.sign(&header));
            bytes.extend(&signed.program);
            bytes
        }
    };
    let loaded = Engine::load(&bytes, &signed.trust);
    let development = Engine::load(&bytes, &signed.trust.clone().allow_unsigned());
    for (loaded, unsigned_allowed) in [(&loaded, false), (&development, true)] {
        let Ok(engine) = loaded else { continue };
        match engine.provenance() {
            eligo::bundle::Provenance::Signed(manifest) => {
                if mode % 3 != 2 {
                    assert_eq!(bytes, signed.bytes, "an altered bundle loaded");
                }
                assert_eq!(manifest.hash, eligo::bundle::ProgramHash::of(&signed.program), "a hash not of the program");
                assert_eq!(manifest.ruleset, engine.program().id, "a manifest of another rule set");
                assert!(manifest.version >= 5, "a version older than the one accepted");
            }
            eligo::bundle::Provenance::Unsigned { .. } => assert!(unsigned_allowed, "an unsigned program loaded"),
        }
        serde_json::to_string(&engine.rules()).expect("the rules serialise");
    }
    if let (Err(refused), Err(again)) = (&loaded, &development) {
        // Allowing unsigned rules changes nothing for a file that is not an unsigned program.
        if !bytes.starts_with(eligo::precompiled::MAGIC) {
            assert_eq!(refused, again, "allowing unsigned rules changed why a bundle is refused");
        }
    }
}

// ───────────────────────────── 8. format ─────────────────────────────

/// Arbitrary text as a rule file, formatted (`eligo fmt`): see [`format_properties`].
pub fn format(data: &[u8]) {
    let data = &data[..data.len().min(MAX_TEXT)];
    let text = String::from_utf8_lossy(data);
    on_the_page_stack(|| format_properties(&text));
}

/// When `text` parses, its formatted text is formatted already, parses to the same declarations
/// (the ASTs with their spans erased) with the same diagnostics' codes, keeps every comment and
/// ends its lines with LF only. Returns whether `text` parsed (a text that does not is refused,
/// which is checked against `syntax::parse`).
pub fn format_properties(text: &str) -> bool {
    let (ast, diagnostics) = eligo::syntax::parse(0, text);
    let formatted = match eligo::format::format(text) {
        Ok(formatted) => formatted,
        Err(refused) => {
            assert!(
                !refused.is_empty() && diagnostics.iter().any(|d| d.is_error()),
                "refused without a syntax error: {text:?}"
            );
            return false;
        }
    };
    assert!(!diagnostics.iter().any(|d| d.is_error()), "formatted despite a syntax error: {text:?}");
    let again = eligo::format::format(&formatted);
    assert!(
        again.as_ref().is_ok_and(|again| *again == formatted),
        "not idempotent: {text:?}\nonce:\n{formatted}\ntwice:\n{again:?}"
    );
    let (ast_after, diagnostics_after) = eligo::syntax::parse(0, &formatted);
    assert_eq!(
        without_spans(&ast),
        without_spans(&ast_after),
        "the declarations changed: {text:?}\nformatted:\n{formatted}"
    );
    let codes = |d: &[eligo::diagnostic::Diagnostic]| d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>();
    assert_eq!(
        codes(&diagnostics),
        codes(&diagnostics_after),
        "the diagnostics changed: {text:?}\nformatted:\n{formatted}"
    );
    assert_eq!(comments(text), comments(&formatted), "the comments changed: {text:?}\nformatted:\n{formatted}");
    assert!(!formatted.contains(['\r', '\u{2028}', '\u{2029}']), "a line break other than LF: {formatted:?}");
    assert!(formatted.lines().all(|line| !line.ends_with([' ', '\t'])), "trailing spaces: {formatted:?}");
    true
}

/// The AST's debug text with every span left out.
fn without_spans(ast: &eligo::ast::File) -> String {
    let text = format!("{ast:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("Span {") {
        out.push_str(&rest[..at]);
        rest = rest[at..].find('}').map_or("", |end| &rest[at + end + 1..]);
    }
    out.push_str(rest);
    out
}

/// The comments of a rule text, sorted, without the spaces they end with: read on their own
/// (outside texts in quotes, which end at a line break as comments do), not by the formatter.
fn comments(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = text.char_indices().peekable();
    let line_break = |c: char| eligo::source::is_line_break(c);
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, c)) = chars.next_if(|&(_, c)| c != '"' && !line_break(c)) {
                    if c == '\\' {
                        chars.next_if(|&(_, c)| !line_break(c));
                    }
                }
                chars.next_if(|&(_, c)| c == '"');
            }
            '“' => {
                while chars.next_if(|&(_, c)| c != '”' && !line_break(c)).is_some() {}
                chars.next_if(|&(_, c)| c == '”');
            }
            '/' if chars.peek().is_some_and(|&(_, c)| c == '/') => {
                let mut end = at;
                while let Some((i, c)) = chars.next_if(|&(_, c)| !line_break(c)) {
                    end = i + c.len_utf8();
                }
                found.push(text[at..end].trim_end_matches([' ', '\t', '\u{3000}', '\u{FEFF}']).to_string());
            }
            _ => {}
        }
    }
    found.sort();
    found
}
