//! `eligo verify`: checks a signed bundle against trusted public keys, as a page does, and shows
//! what it holds. Exit code 0 verified, 1 refused, 2 a usage error (such as a key file that is not
//! a public key).

use super::Lang;
use eligo::bundle::Provenance;
use eligo::Engine;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(bundle: &Path, keys: &[PathBuf], accepted_version: Option<u64>, lang: Lang) -> ExitCode {
    let trust = match crate::keys::trust(keys, accepted_version, lang) {
        Ok(trust) => trust,
        Err(code) => return code,
    };
    let bytes = match std::fs::read(bundle) {
        Ok(bytes) => bytes,
        Err(error) => {
            tell!("error: cannot read {}: {error}", bundle.display());
            return ExitCode::from(2);
        }
    };
    let engine = match Engine::load(&bytes, &trust) {
        Ok(engine) => engine,
        Err(error) => {
            tell!("error: {}: {}", bundle.display(), error.kind.message(lang.messages()));
            return ExitCode::from(1);
        }
    };
    // Without `allow_unsigned` only a signed bundle loads.
    let Provenance::Signed(manifest) = engine.provenance() else {
        tell!("error: {}: {}", bundle.display(), eligo::precompiled::LoadErrorKind::Unsigned.message(lang.messages()));
        return ExitCode::from(1);
    };
    let t = |zh, en| lang.pick(zh, en);
    say!("✓ {} {}", t("已验证", "verified"), bundle.display());
    say!("  {}  {}", t("规则集  ", "rule set"), manifest.ruleset);
    say!("  {}  {}", t("版本    ", "version "), manifest.version);
    say!("  {}  {}", t("发布机关", "issuer  "), manifest.issuer);
    say!("  {}  {}", t("密钥编号", "key id  "), manifest.key_id);
    say!("  {}  {}", t("发布日期", "issued  "), manifest.issued);
    say!("  {}  {}", t("程序哈希", "hash    "), manifest.hash);
    say!("  {}  {}", t("政策数  ", "policies"), engine.program().policies.len());
    ExitCode::SUCCESS
}
