//! `eligo`: check, test, evaluate and build rule sets from the command line.

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
mod terminal;
mod test;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "eligo",
    version,
    about = "Eligo: policy rules for public services — check, test, evaluate and build rule files"
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

#[derive(Subcommand)]
enum Command {
    /// Check rule files: every problem with its position and how to fix it.
    Check {
        /// Rule files or folders (searched for *.rules). Default: rules/
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Run the examples written in the rule files.
    Test {
        /// Rule files or folders (searched for *.rules). Default: rules/
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Evaluate a citizen's data against a rule set.
    Eval {
        /// Rule files or folders (searched for *.rules), or one precompiled program (.eligo,
        /// from `eligo build`). Default: rules/
        paths: Vec<PathBuf>,
        /// The citizen's data: a JSON file (`-` for standard input).
        #[arg(long)]
        data: PathBuf,
        /// The evaluation date, YYYY-MM-DD.
        #[arg(long)]
        date: String,
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
    /// Compile rule files into a precompiled program, which loads without compiling them.
    Build {
        /// Rule files or folders (searched for *.rules). Default: rules/
        paths: Vec<PathBuf>,
        /// The file to write, such as www/rules.eligo.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { paths, format } => check::run(&paths, format),
        Command::Test { paths, format } => test::run(&paths, format),
        Command::Eval { paths, data, date, lang, explain, trace, format } => {
            eval::run(&paths, &data, &date, lang, explain.as_deref(), trace, format)
        }
        Command::Build { paths, output } => build::run(&paths, &output),
        Command::Fmt { paths, check } => fmt::run(&paths, check),
    }
}
