//! `eligo build`: compiles rule files once into a precompiled program (`.eligo`), which a page
//! loads without parsing or checking the rules (see docs/embedding.md); with `--sign`, into a
//! bundle signed by the issuer's key, which pages that trust the key accept (docs/signing.md).

use super::{check, files, Format, Lang};
use eligo::bundle::{self, Manifest, Provenance, Trust};
use eligo::date::Date;
use eligo::keys::{PublicKey, SecretKey};
use eligo::render::render;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `--sign KEY --version N [--issued DATE]` (clap makes the version required with the key).
pub struct Signing {
    pub key: PathBuf,
    pub version: Option<u64>,
    pub issued: Option<String>,
}

pub fn run(paths: &[PathBuf], output: &Path, signing: Option<&Signing>, lang: Lang) -> ExitCode {
    // Read first: a build that cannot be signed is not compiled.
    let signer = match signing.map(signer).transpose() {
        Ok(signer) => signer,
        Err(code) => return code,
    };
    // Without the examples: they are not stored (`eligo test` runs them).
    let (sources, compiled) = match files::compiled_with(paths, false, lang) {
        Ok(compiled) => compiled,
        Err(code) => return code,
    };
    let Some(program) = &compiled.program else {
        check::report(&sources, &compiled, Format::Human, lang);
        return ExitCode::from(1);
    };
    for warning in &compiled.diagnostics {
        eprintln!("{}", crate::terminal::escape_lines(&render(&sources, warning, lang.messages())));
    }
    let program_bytes = eligo::precompiled::to_bytes(program);
    let (bytes, trust) = match &signer {
        Some(signer) => match bundle::seal(&program_bytes, &program.id, signer.version, signer.issued, &signer.key) {
            Ok(bytes) => (bytes, Trust::keys([signer.key.public()])),
            Err(error) => {
                tell!("error: cannot sign: {error}");
                return ExitCode::from(2);
            }
        },
        None => (program_bytes, Trust::development()),
    };
    // What is written is loaded first, as a page loads it, so that a file `eligo build` writes
    // always loads.
    let provenance = match bundle::load(&bytes, &trust) {
        Ok((provenance, _)) => provenance,
        Err(error) => {
            tell!("error: the program does not load back ({error}); please report this as a bug");
            return ExitCode::from(1);
        }
    };
    // Only a file is read back (not `-o /dev/stdout`, which would wait for input).
    let existing = std::fs::metadata(output).is_ok_and(|m| m.is_file()).then(|| std::fs::read(output).ok()).flatten();
    if let Some(existing) = existing {
        let manifest = match &provenance {
            Provenance::Signed(manifest) => Some(manifest),
            Provenance::Unsigned { .. } => None,
        };
        if let Err(code) = replaceable(output, &existing, signer.as_ref().zip(manifest)) {
            return code;
        }
    }
    if let Err(error) = std::fs::write(output, &bytes) {
        tell!("error: cannot write {}: {error}", output.display());
        return ExitCode::from(2);
    }
    let policies = program.policies.len();
    say!(
        "wrote {}: {policies} {}, {} bytes",
        output.display(),
        if policies == 1 { "policy" } else { "policies" },
        thousands(bytes.len())
    );
    match provenance {
        Provenance::Signed(manifest) => say!(
            "signed: {} version {}, issued {} by {} (key {})",
            manifest.ruleset,
            manifest.version,
            manifest.issued,
            manifest.issuer,
            manifest.key_id
        ),
        Provenance::Unsigned { .. } => tell!(
            "warning: the program is not signed: pages refuse it unless they allow unsigned rules (development \
             only); for citizens, sign it: --sign issuer.key --version N"
        ),
    }
    ExitCode::SUCCESS
}

struct Signer {
    key: SecretKey,
    version: u64,
    issued: Date,
}

fn signer(signing: &Signing) -> Result<Signer, ExitCode> {
    let key = crate::keys::secret(&signing.key, Lang::En)?;
    let Some(version) = signing.version else {
        tell!("error: --sign needs --version N: the release's number, higher than the last one issued");
        return Err(ExitCode::from(2));
    };
    let issued = match &signing.issued {
        Some(text) => Date::parse(text).ok_or_else(|| {
            tell!("error: --issued must be a date in the calendar written YYYY-MM-DD, got \"{text}\"");
            ExitCode::from(2)
        })?,
        None => today().ok_or_else(|| {
            tell!("error: the system clock gives no date: give the issue date with --issued YYYY-MM-DD");
            ExitCode::from(2)
        })?,
    };
    Ok(Signer { key, version, issued })
}

/// Today in UTC; `None` for a clock set before 1970.
fn today() -> Option<Date> {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Date::from_days_since_epoch(i64::try_from(seconds / 86_400).ok()?)
}

/// Whether the file at `output` (`existing`) may be replaced. A key file never is (`-o issuer.key`
/// by mistake would lose the key). A version only grows: a bundle of the same rule set that this
/// key signed is not replaced by an older version, or by other rules under its own version (two
/// releases with one number could not be told apart).
fn replaceable(output: &Path, existing: &[u8], signed: Option<(&Signer, &Manifest)>) -> Result<(), ExitCode> {
    let key = |text: &str| SecretKey::parse(text).is_ok() || PublicKey::parse(text).is_ok();
    if std::str::from_utf8(existing).is_ok_and(key) {
        tell!("error: {} is a key file: it is never written over; give the bundle another name", output.display());
        return Err(ExitCode::from(2));
    }
    let Some((signer, new)) = signed else {
        return Ok(());
    };
    let Ok((Provenance::Signed(old), _)) = bundle::open(existing, &Trust::keys([signer.key.public()])) else {
        return Ok(());
    };
    if old.ruleset != new.ruleset || new.version > old.version || (new.version == old.version && old.hash == new.hash) {
        return Ok(());
    }
    let next = old.version.saturating_add(1);
    let why = if new.version == old.version { "with other rules" } else { "is older and" };
    tell!(
        "error: {} holds version {} of {}, signed with this key: version {} {why} cannot replace it (a version \
         only grows); give --version {next} or higher",
        output.display(),
        old.version,
        old.ruleset,
        new.version
    );
    Err(ExitCode::from(1))
}

/// 123456 → "123,456".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(123_456), "123,456");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
