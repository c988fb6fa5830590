//! Reading issuer key files (`eligo keygen`) for build, verify and eval: a file that is not the
//! key asked for is refused with the reason, naming the file, as a usage error (exit code 2).

use super::Lang;
use eligo::keys::{PublicKey, SecretKey};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The public keys in `paths` (a page's or verifier's trusted keys).
pub fn public(paths: &[PathBuf], lang: Lang) -> Result<Vec<PublicKey>, ExitCode> {
    paths.iter().map(|path| read(path, lang, PublicKey::parse)).collect()
}

/// The secret key in `path` (to sign with).
pub fn secret(path: &Path, lang: Lang) -> Result<SecretKey, ExitCode> {
    read(path, lang, SecretKey::parse)
}

fn read<K>(path: &Path, lang: Lang, parse: impl Fn(&str) -> Result<K, eligo::keys::KeyError>) -> Result<K, ExitCode> {
    let refuse = |why: &str| {
        tell!("error: {}: {why}", path.display());
        ExitCode::from(2)
    };
    let bytes = std::fs::read(path).map_err(|e| refuse(&e.to_string()))?;
    // Not decoded leniently: a replaced character in an issuer's name would be a name no one gave.
    let text = String::from_utf8(bytes)
        .map_err(|_| refuse(lang.pick("不是密钥文件（不是 UTF-8 文本）", "not a key file (not UTF-8 text)")))?;
    parse(&text).map_err(|error| refuse(&error.kind.message(lang.messages())))
}
