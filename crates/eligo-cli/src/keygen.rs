//! `eligo keygen`: an issuer's key pair, as issuer.key (secret, mode 0600) and issuer.pub.

use eligo::keys::SecretKey;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

pub fn run(issuer: &str, output: &Path) -> ExitCode {
    // WASI (the npm package) cannot make a file readable by its owner alone: a secret key is never
    // written where others may read it.
    if cfg!(target_os = "wasi") {
        tell!("error: make issuer keys with the native eligo (cargo install --path crates/eligo-cli): only it can make the secret key readable by its owner alone");
        return ExitCode::from(2);
    }
    let public = output.with_extension("pub");
    if public == output {
        tell!(
            "error: {} would be the secret key: name it issuer.key (the public key is written as .pub)",
            output.display()
        );
        return ExitCode::from(2);
    }
    // Never overwritten: a key that is lost cannot be made again, and its bundles could no longer
    // be followed by a new version. Checked for both files before either is written.
    for path in [output, public.as_path()] {
        if path.exists() {
            tell!(
                "error: {} exists: a key is never overwritten (a lost key cannot be recovered); choose another file name",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    let mut seed = [0u8; 32];
    if let Err(error) = getrandom::fill(&mut seed) {
        tell!("error: the operating system gave no random bytes ({error}): no key was made");
        return ExitCode::from(2);
    }
    let key = match SecretKey::from_seed(issuer, seed) {
        Ok(key) => key,
        Err(error) => {
            tell!("error: --issuer: {error}");
            return ExitCode::from(2);
        }
    };
    if let Err(error) = create(output, &key.to_text(), true) {
        tell!("error: cannot write {}: {error}", output.display());
        return ExitCode::from(2);
    }
    let public_key = key.public();
    if let Err(error) = create(&public, &public_key.to_text(), false) {
        // The secret key alone is of no use, and no one has seen it yet: it goes too, so that the
        // command can be run again.
        let _ = std::fs::remove_file(output);
        tell!("error: cannot write {}: {error} (no key was made)", public.display());
        return ExitCode::from(2);
    }
    say!("made the key {} of {}:", public_key.id, public_key.issuer);
    say!("  {}  secret: signs rules (eligo build --sign)", output.display());
    say!("  {}  public: verifies them", public.display());
    say!(
        "Keep {} offline; give {} to the pages and verifiers that trust these rules.",
        output.display(),
        public.display()
    );
    ExitCode::SUCCESS
}

/// Writes a new file, failing if it exists (even if made since the check); a secret one is
/// readable by its owner alone.
fn create(path: &Path, text: &str, secret: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
