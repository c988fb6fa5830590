//! `eligo`: check, test, evaluate, build, sign and verify rule sets from the command line.

/// `println!` that ends quietly when the reader has gone (`eligo eval … | head`), instead of
/// panicking on the broken pipe. The line is escaped (`terminal::escape`): it may hold data.
macro_rules! say {
    () => {
        say_raw!("")
    };
    ($($arg:tt)*) => {
        say_raw!("{}", crate::terminal::escape(&format!($($arg)*)))
    };
}

/// `say!` for output that is not for a terminal (JSON, whose own escapes apply).
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(error) = writeln!(std::io::stdout(), $($arg)*) {
            if error.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// `eprintln!` of a line that may hold data or a rule file's text, escaped.
macro_rules! tell {
    ($($arg:tt)*) => {
        eprintln!("{}", crate::terminal::escape(&format!($($arg)*)))
    };
}

mod build;
mod check;
mod eval;
mod files;
mod fmt;
mod keygen;
mod keys;
#[cfg(not(target_os = "wasi"))]
mod lsp;
mod terminal;
mod test;
mod verify;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "eligo",
    version,
    about = "Eligo: policy rules for public services — check, test, evaluate, build, sign and verify rule files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The engine's language, for its messages.
    pub fn messages(self) -> eligo::vocabulary::Lang {
        match self {
            Lang::Zh => eligo::vocabulary::Lang::Zh,
            Lang::En => eligo::vocabulary::Lang::En,
        }
    }

    /// The language of diagnostics when `--lang` is not given: the locale's, from `LC_ALL`, then
    /// `LC_MESSAGES`, then `LANG` (the first that is set and not empty), as `gettext` reads them;
    /// Chinese when it starts with `zh` (`zh_CN.UTF-8`), else English.
    pub fn from_env() -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()));
        match locale {
            Some(locale) if locale.starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// `zh` or `english`, as this language reads.
    pub fn pick<'t>(self, zh: &'t str, english: &'t str) -> &'t str {
        match self {
            Lang::Zh => zh,
            Lang::En => english,
        }
    }
}

/// `--lang` of the commands that print diagnostics.
const DIAGNOSTICS_LANG: &str =
    "The language of the diagnostics. Default: from the locale (LC_ALL, then LC_MESSAGES, then \
                                LANG): Chinese when it starts with zh, else English";

#[derive(Subcommand)]
enum Command {
    /// Check rule files: every problem with its position and how to fix it.
    Check {
        /// Rule files or folders (searched for *.rules). Default: rules/
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        #[arg(long, value_enum, help = DIAGNOSTICS_LANG)]
        lang: Option<Lang>,
    },
    /// Run the examples written in the rule files.
    Test {
        /// Rule files or folders (searched for *.rules). Default: rules/
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: test::TestFormat,
        /// Also report which conditions, exceptions, outputs and table rows the examples leave
        /// uncovered.
        #[arg(long)]
        coverage: bool,
        /// Fail when the examples cover less than this percent of the rules (implies --coverage).
        #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
        min_coverage: Option<u8>,
        #[arg(long, value_enum, help = DIAGNOSTICS_LANG)]
        lang: Option<Lang>,
    },
    /// Evaluate a citizen's data against a rule set.
    Eval {
        /// Rule files or folders (searched for *.rules), or one precompiled program (.eligo,
        /// from `eligo build`). Default: rules/
        paths: Vec<PathBuf>,
        /// The citizen's data: a JSON file (`-` for standard input).
        #[arg(long)]
        data: PathBuf,
        /// The evaluation date, YYYY-MM-DD (optional with --code, which holds it).
        #[arg(long, required_unless_present = "code")]
        date: Option<String>,
        /// A printed summary's verification code, such as 3F2A9C1B-20250901: re-runs that answer,
        /// on its date, and refuses rules other than the ones that produced it.
        #[arg(long)]
        code: Option<String>,
        /// A public key file (issuer.pub) whose signed bundles are trusted; repeat it while an
        /// office rotates its key.
        #[arg(long, value_name = "FILE")]
        trusted_key: Vec<PathBuf>,
        /// Refuses a bundle older than this version (the last one accepted).
        #[arg(long, value_name = "N")]
        accepted_version: Option<u64>,
        /// Loads an unsigned program (.eligo): development only.
        #[arg(long)]
        allow_unsigned: bool,
        #[arg(long, value_enum, default_value = "zh")]
        lang: Lang,
        /// Explain one policy: print its trace.
        #[arg(long, value_name = "POLICY")]
        explain: Option<String>,
        /// Include the trace of every policy in the JSON report.
        #[arg(long)]
        trace: bool,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Lay rule files out as the guide does, in place; comments, texts and numbers are kept.
    Fmt {
        /// Rule files or folders (searched for *.rules). Default: rules/
        paths: Vec<PathBuf>,
        /// Change nothing: list the files that are not formatted, and exit 1 if there are any.
        #[arg(long)]
        check: bool,
    },
    /// A Language Server Protocol server on stdin and stdout, for editors: diagnostics, hover,
    /// definitions, references, completion, rename, formatting, quick fixes, outline.
    #[cfg(not(target_os = "wasi"))]
    Lsp,
    /// Compile rule files into a precompiled program, which loads without compiling them.
    Build {
        /// Rule files or folders (searched for *.rules). Default: rules/
        paths: Vec<PathBuf>,
        /// The file to write, such as www/rules.eligo.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Signs the program with this issuer key (issuer.key, from `eligo keygen`).
        #[arg(long, value_name = "FILE", requires = "version")]
        sign: Option<PathBuf>,
        /// The release's version: only grows from one signed build of a rule set to the next.
        #[arg(long, value_name = "N", requires = "sign",
              value_parser = clap::value_parser!(u64).range(..=eligo::bundle::MAX_VERSION))]
        version: Option<u64>,
        /// The issue date written in the bundle, YYYY-MM-DD. Default: today (UTC).
        #[arg(long, value_name = "DATE", requires = "sign")]
        issued: Option<String>,
        #[arg(long, value_enum, help = DIAGNOSTICS_LANG)]
        lang: Option<Lang>,
    },
    /// Make an issuer's key pair: the secret key (kept offline, signs) and the public key (.pub).
    Keygen {
        /// The office that issues the rules, as pages show it, such as 北京市民政局.
        #[arg(long)]
        issuer: String,
        /// The secret key file to write, such as issuer.key; the public key goes next to it, .pub.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Verify a signed bundle against trusted public keys, and show what it holds.
    Verify {
        /// The bundle, from `eligo build --sign`.
        bundle: PathBuf,
        /// A trusted public key file (issuer.pub); repeat it while an office rotates its key.
        #[arg(long = "key", value_name = "FILE", required = true)]
        keys: Vec<PathBuf>,
        /// Refuses a bundle older than this version (the last one accepted).
        #[arg(long, value_name = "N")]
        accepted_version: Option<u64>,
        #[arg(long, value_enum, default_value = "zh")]
        lang: Lang,
    },
}

fn main() -> ExitCode {
    // Under WASI (the npm package) the host opens the whole file system at `/` and says in PWD
    // where the command was run: relative paths are then the user's, as for a native command.
    #[cfg(target_os = "wasi")]
    if let Some(pwd) = std::env::var_os("PWD") {
        let _ = std::env::set_current_dir(pwd);
    }
    let cli = Cli::parse();
    match cli.command {
        Command::Check { paths, format, lang } => check::run(&paths, format, lang.unwrap_or_else(Lang::from_env)),
        Command::Test { paths, format, coverage, min_coverage, lang } => {
            let lang = lang.unwrap_or_else(Lang::from_env);
            test::run(&paths, &test::Options { format, lang, coverage, min_coverage })
        }
        Command::Eval {
            paths,
            data,
            date,
            code,
            trusted_key,
            accepted_version,
            allow_unsigned,
            lang,
            explain,
            trace,
            format,
        } => {
            let rules = eval::Rules { paths, trusted_keys: trusted_key, accepted_version, allow_unsigned };
            let when = eval::When { date, code };
            eval::run(&rules, &data, &when, lang, explain.as_deref(), trace, format)
        }
        Command::Build { paths, output, sign, version, issued, lang } => {
            let signing = sign.map(|key| build::Signing { key, version, issued });
            build::run(&paths, &output, signing.as_ref(), lang.unwrap_or_else(Lang::from_env))
        }
        Command::Keygen { issuer, output } => keygen::run(&issuer, &output),
        Command::Verify { bundle, keys, accepted_version, lang } => verify::run(&bundle, &keys, accepted_version, lang),
        Command::Fmt { paths, check } => fmt::run(&paths, check),
        #[cfg(not(target_os = "wasi"))]
        Command::Lsp => lsp::run(),
    }
}
