//! `eligo eval`: one citizen's report, for people (grouped, in Chinese or English) or as the JSON
//! the WebAssembly module returns.

use super::{files, Format, Lang};
use eligo::bundle;
use eligo::date::Date;
use eligo::ffi;
use eligo::precompiled::LoadErrorKind;
use eligo::report::{PolicyResult, Report, TraceStep};
use eligo::vocabulary::Status;
use eligo::{Engine, EvaluateError};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which rules: rule files, or one program (.eligo) and what it must be to be loaded.
pub struct Rules {
    pub paths: Vec<PathBuf>,
    pub trusted_keys: Vec<PathBuf>,
    pub accepted_version: Option<u64>,
    pub allow_unsigned: bool,
}

/// The evaluation date, given as a date, or within a printed summary's verification code.
pub struct When {
    pub date: Option<String>,
    pub code: Option<String>,
}

pub fn run(
    rules: &Rules,
    data: &Path,
    when: &When,
    lang: Lang,
    explain: Option<&str>,
    trace: bool,
    format: Format,
) -> ExitCode {
    let (date, code) = match evaluation_date(when) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let engine = match engine(rules, lang) {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    if let Some(digits) = code {
        // The code's date is the evaluation date: only the hash digits can differ.
        let ours = bundle::verification_code(engine.provenance().hash(), date);
        if !ours.starts_with(&digits) {
            let ours = ours.get(..digits.len()).unwrap_or(&ours);
            tell!(
                "error: {}",
                match lang {
                    Lang::Zh => format!(
                        "这些规则不是生成该摘要的规则：核验码对应哈希以 {digits} 开头的规则，而这些规则的哈希以 {ours} 开头\
                         （请载入生成该摘要时的规则版本）"
                    ),
                    Lang::En => format!(
                        "these rules are not the ones that produced the summary: its code names rules whose hash \
                         begins {digits}, these rules' hash begins {ours} (load the release the summary was made with)"
                    ),
                }
            );
            return ExitCode::from(1);
        }
    }
    // Robustness: one byte past the limit is read, for the facts reader to refuse (never
    // gigabytes); cut there, the text may end inside a character, so it is not decoded strictly.
    let limit = eligo::limits::MAX_DATA_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    let read = if data == Path::new("-") {
        std::io::stdin().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(data).and_then(|file| file.take(limit).read_to_end(&mut bytes))
    };
    let text = read.and_then(|_| match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) if error.as_bytes().len() as u64 == limit => {
            Ok(String::from_utf8_lossy(error.as_bytes()).into_owned())
        }
        Err(error) => Err(std::io::Error::new(std::io::ErrorKind::InvalidData, error)),
    });
    let text = match text {
        Ok(text) => text,
        Err(e) => {
            tell!("error: cannot read {}: {e}", data.display());
            return ExitCode::from(2);
        }
    };
    if let Some(id) = explain {
        if !engine.program().policies.iter().any(|p| p.id == id) {
            let ids: Vec<&str> = engine.program().policies.iter().map(|p| p.id.as_str()).collect();
            tell!("error: no policy `{id}`; the policies are: {}", ids.join(", "));
            return ExitCode::from(2);
        }
    }
    let options = ffi::options(Some(if lang == Lang::En { "en" } else { "zh" }), trace || explain.is_some());
    // Read strictly: a key written twice, or data nested too deeply, is an error with its path.
    let result = ffi::read_data(&text)
        .map_err(|error| match error {
            EvaluateError::InvalidJson { message } => {
                EvaluateError::InvalidJson { message: format!("{}: {message}", data.display()) }
            }
            other => other,
        })
        .and_then(|json| Ok(engine.evaluate(&engine.facts(&json)?, date, &options)));
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            match &error {
                EvaluateError::InvalidFacts { problems, .. } => {
                    tell!("error: the data does not fit the rules' inputs:");
                    for problem in problems {
                        match problem.path.as_str() {
                            "" => tell!("  {}", problem.message),
                            path => tell!("  {path}: {}", problem.message),
                        }
                    }
                }
                EvaluateError::InvalidDate { message } | EvaluateError::InvalidJson { message } => {
                    tell!("error: {message}")
                }
            }
            return ExitCode::from(1);
        }
    };
    match format {
        Format::Json => say_raw!("{}", serde_json::to_string_pretty(&report).unwrap_or_default()),
        Format::Human => print_human(&report, lang == Lang::En, explain),
    }
    ExitCode::SUCCESS
}

/// The evaluation date, and the hash digits of the verification code when one is given (whose
/// date must be `--date`'s, if that is given too).
fn evaluation_date(when: &When) -> Result<(Date, Option<String>), ExitCode> {
    let usage = |message: String| {
        tell!("error: {message}");
        ExitCode::from(2)
    };
    let date = when.date.as_deref().map(ffi::date).transpose().map_err(|error| match error {
        EvaluateError::InvalidDate { message }
        | EvaluateError::InvalidJson { message }
        | EvaluateError::InvalidFacts { message, .. } => usage(message),
    })?;
    let Some(code) = &when.code else {
        // clap requires --date without --code.
        return date
            .map(|date| (date, None))
            .ok_or_else(|| usage("give the evaluation date: --date YYYY-MM-DD".into()));
    };
    let (digits, code_date) = bundle::read_verification_code(code).ok_or_else(|| {
        usage(format!(
            "--code {code} is not a verification code: 8 hexadecimal digits, a dash and the date, such as 3F2A9C1B-20250901"
        ))
    })?;
    match date {
        Some(date) if date != code_date => Err(usage(format!(
            "--date {date} is not the date of --code {code}, {code_date}: the code's answer was given on {code_date} \
             (leave out --date)"
        ))),
        _ => Ok((code_date, Some(digits))),
    }
}

/// A program (.eligo, from `eligo build`) given alone, verified and loaded; or the rule files,
/// compiled (unsigned: nothing vouches for them but the reader).
fn engine(rules: &Rules, lang: Lang) -> Result<Engine, ExitCode> {
    let precompiled = |path: &PathBuf| path.extension().is_some_and(|x| x == "eligo");
    match rules.paths.as_slice() {
        [path] if precompiled(path) => {
            let mut trust = crate::keys::trust(&rules.trusted_keys, rules.accepted_version, lang)?;
            if rules.allow_unsigned {
                trust = trust.allow_unsigned();
            }
            let bytes = std::fs::read(path).map_err(|e| {
                tell!("error: cannot read {}: {e}", path.display());
                ExitCode::from(2)
            })?;
            Engine::load(&bytes, &trust).map_err(|error| {
                tell!("error: cannot load {}: {}", path.display(), error.kind.message(lang.messages()));
                let hint = match error.kind {
                    LoadErrorKind::UnknownKey { trusted, .. } if trusted.is_empty() => Some(lang.pick(
                        "请用 --trusted-key issuer.pub 提供发布机关的公钥",
                        "give the issuer's public key: --trusted-key issuer.pub",
                    )),
                    LoadErrorKind::Unsigned => Some(lang.pick(
                        "仅在开发时，可用 --allow-unsigned 载入未签名的规则",
                        "for development only, --allow-unsigned loads unsigned rules",
                    )),
                    _ => None,
                };
                if let Some(hint) = hint {
                    tell!("hint: {hint}");
                }
                ExitCode::from(1)
            })
        }
        paths if paths.iter().any(precompiled) => {
            tell!("error: a precompiled program (.eligo) is evaluated on its own, without rule files");
            Err(ExitCode::from(2))
        }
        paths => {
            if !rules.trusted_keys.is_empty() || rules.accepted_version.is_some() || rules.allow_unsigned {
                tell!(
                    "error: --trusted-key, --accepted-version and --allow-unsigned are for a program (.eligo); \
                     rule files are compiled here, unsigned"
                );
                return Err(ExitCode::from(2));
            }
            files::program(paths, Format::Human, lang).map(|(program, _)| Engine::from_program(program))
        }
    }
}

fn print_human(report: &Report, en: bool, explain: Option<&str>) {
    let t = |zh: &'static str, english: &'static str| if en { english } else { zh };
    say!("{} · {} · {}", report.ruleset, t("评估日期", "evaluated on"), report.date);
    for warning in &report.warnings {
        match warning.path.as_str() {
            "" => say!("{} {}", t("注意", "note"), warning.message),
            path => say!("{} {path}: {}", t("注意", "note"), warning.message),
        }
    }
    if let Some(rules) = &report.rules {
        match (&rules.version, &rules.issuer, &rules.key_id, &rules.issued) {
            (Some(version), Some(issuer), Some(key_id), Some(issued)) if rules.signed => say!(
                "{} {} {version} · {issuer} · {} {key_id} · {} {issued}",
                t("规则:", "rules:"),
                t("版本", "version"),
                t("密钥", "key"),
                t("发布于", "issued")
            ),
            _ => say!("{} {}", t("规则:", "rules:"), t("未签名，仅供开发使用", "unsigned, development only")),
        }
        if let Some(code) = &rules.verification_code {
            say!("{} {code}", t("核验码:", "verification code:"));
        }
    }
    let section = |status: Status| report.policies.iter().filter(move |p| p.status == status).collect::<Vec<_>>();
    let eligible = section(Status::Eligible);
    if !eligible.is_empty() {
        say!();
        say!("{} ({})", t("符合条件", "Eligible"), eligible.len());
        for policy in eligible {
            say!("  ✓ {}{}", policy.title, amount_text(policy, en));
        }
    }
    let undetermined = section(Status::Undetermined);
    if !undetermined.is_empty() {
        say!();
        say!("{} ({})", t("需要更多信息", "Needs more information"), undetermined.len());
        for policy in undetermined {
            say!("  ? {} — {} {}", policy.title, t("缺少:", "missing:"), policy.missing.join(", "));
        }
        if !report.ask_next.is_empty() {
            say!("  {}", t("建议先回答:", "Ask first:"));
            for ask in &report.ask_next {
                let label = ask.question.as_ref().or(ask.label.as_ref()).cloned().unwrap_or_else(|| ask.input.clone());
                say!("    · {label} [{}] — {} {}", ask.input, t("可确定", "settles"), ask.settles);
            }
        }
    }
    let ineligible = section(Status::Ineligible);
    if !ineligible.is_empty() {
        say!();
        say!("{} ({})", t("不符合条件", "Not eligible"), ineligible.len());
        for policy in ineligible {
            let why = match &policy.excluded_by {
                Some(winner) => format!("{} {winner}", t("已享受", "granted instead:")),
                None => format!("{} {}", t("未满足:", "not met:"), policy.failed.join("; ")),
            };
            say!("  ✗ {} — {why}", policy.title);
        }
    }
    let not_applicable = section(Status::NotApplicable);
    if !not_applicable.is_empty() {
        say!();
        say!("{} ({})", t("不在有效期内", "Not in force on this date"), not_applicable.len());
        for policy in not_applicable {
            say!("  – {}", policy.title);
        }
    }
    let errors = section(Status::Error);
    if !errors.is_empty() {
        say!();
        say!("{} ({})", t("无法评估", "Could not be evaluated"), errors.len());
        for policy in errors {
            if let Some(error) = &policy.error {
                say!(
                    "  ! {} — {} ({}:{}:{})",
                    policy.title,
                    error.message,
                    error.at.file,
                    error.at.line,
                    error.at.column
                );
            }
        }
    }
    if let Some(id) = explain {
        if let Some(policy) = report.policies.iter().find(|p| p.id == id) {
            print_trace(policy, en);
        }
    }
}

fn amount_text(policy: &PolicyResult, en: bool) -> String {
    let Some(amount) = policy.outputs.get("amount") else {
        return match policy.outputs.get("payable") {
            Some(payable) if en => format!("  fee payable: ¥{payable}"),
            Some(payable) => format!("  应缴费用: {payable} 元"),
            None => String::new(),
        };
    };
    let period = match policy.outputs.get("period") {
        Some(eligo::report::Value::Period(period)) => period.as_str(),
        _ => "once",
    };
    match (en, period) {
        (true, "month") => format!("  ¥{amount} per month"),
        (true, "year") => format!("  ¥{amount} per year"),
        (true, _) => format!("  ¥{amount} once"),
        (false, "month") => format!("  {amount} 元/月"),
        (false, "year") => format!("  {amount} 元/年"),
        (false, _) => format!("  {amount} 元（一次性）"),
    }
}

fn print_trace(policy: &PolicyResult, en: bool) {
    say!();
    say!("{} {} [{}]", if en { "Why:" } else { "原因:" }, policy.title, policy.status.as_str());
    if let Some(source) = &policy.source {
        say!(
            "  {} {}{}",
            if en { "Source:" } else { "依据:" },
            source.citation,
            source.url.as_ref().map_or(String::new(), |u| format!(" ({u})"))
        );
    }
    for step in policy.trace.iter().flatten() {
        say!("  {} {}{}", mark(step), step.label, values_text(step));
        if let Some(decided) = &step.decided_by {
            say!("      → {decided}");
        }
    }
}

fn mark(step: &TraceStep) -> &'static str {
    match step.met {
        Some(true) => "✓",
        Some(false) => "✗",
        None if step.outcome.is_none() && matches!(step.kind, eligo::report::StepKind::Output) => "=",
        None => "?",
    }
}

fn values_text(step: &TraceStep) -> String {
    if step.values.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = step
        .values
        .iter()
        .map(|v| {
            let value = &v.value;
            match &v.since {
                Some(since) => format!("{} = {value} (since {since})", v.name),
                None => format!("{} = {value}", v.name),
            }
        })
        .collect();
    format!("   [{}]", shown.join(", "))
}
