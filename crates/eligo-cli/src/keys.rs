//! Reading issuer key files (`eligo keygen`) for build, verify and eval: a file that is not the
//! key asked for is refused with the reason, naming the file, as a usage error (exit code 2).

use super::Lang;
use eligo::bundle::Trust;
use eligo::keys::{PublicKey, SecretKey};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A key file is a few hundred bytes: past this it is not one (and `/dev/zero` is not read on).
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// What `--key`/`--trusted-key` and `--accepted-version` trust: bundles signed by the public
/// keys in `paths`, of a version not older than `accepted_version`.
pub fn trust(paths: &[PathBuf], accepted_version: Option<u64>, lang: Lang) -> Result<Trust, ExitCode> {
    let keys = paths.iter().map(|path| read(path, lang, PublicKey::parse)).collect::<Result<Vec<_>, _>>()?;
    Ok(accepted_version.into_iter().fold(Trust::keys(keys), Trust::accepted_version))
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
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_KEY_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| refuse(&e.to_string()))?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        let (zh, en) = (
            format!("不是密钥文件（超过 {MAX_KEY_FILE_BYTES} 字节）"),
            format!("not a key file (longer than {MAX_KEY_FILE_BYTES} bytes)"),
        );
        return Err(refuse(lang.pick(&zh, &en)));
    }
    // Not decoded leniently: a replaced character in an issuer's name would be a name no one gave.
    let text = String::from_utf8(bytes)
        .map_err(|_| refuse(lang.pick("不是密钥文件（不是 UTF-8 文本）", "not a key file (not UTF-8 text)")))?;
    parse(&text).map_err(|error| refuse(&error.kind.message(lang.messages())))
}
