//! Signed rule bundles: a precompiled program with the issuer's Ed25519 signature over who issued
//! it, which version it is, when, and the hash of the program. A page verifies the bundle against
//! the keys it trusts before a byte of the program is decoded, and refuses it otherwise.
//!
//! The layout (integers little-endian):
//!
//! ```text
//! "ELIGO-SIGNED\0"  magic
//! u16               bundle format (1)
//! u8                algorithm (1: Ed25519, the program hashed with SHA-512/256)
//! u8 + bytes        key id (8 bytes)
//! u16 + bytes       manifest: rule set id (u16 + UTF-8), version (u64), issuer (u16 + UTF-8),
//!                   issue date (u8 + "YYYY-MM-DD"), program length (u64), program hash (32 bytes)
//! u8 + bytes        signature (64 bytes) over every byte before it
//! bytes             the program (see `precompiled`)
//! ```
//!
//! The key id comes before the manifest so that the key is found, and the signature checked, with
//! nothing read but fixed fields; the manifest is read only once it is known to be the issuer's.

use crate::date::Date;
use crate::keys::{hex, KeyId, PublicKey, SecretKey, KEY_ID_BYTES, MAX_ISSUER_BYTES};
use crate::precompiled::{LoadError, LoadErrorKind, MAGIC};
use crate::program::Program;
use ed25519_dalek::{Signature, Signer};
use sha2::{Digest, Sha512_256};

pub const SIGNED_MAGIC: &[u8; 13] = b"ELIGO-SIGNED\x00";
pub const BUNDLE_FORMAT: u16 = 1;
const ED25519_SHA512_256: u8 = 1;
const SIGNATURE_BYTES: usize = 64;
/// The longest rule set id a manifest holds, in bytes.
const MAX_RULESET_BYTES: usize = 200;

/// The hash of a program's bytes (SHA-512/256): what a bundle signs and a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramHash(pub [u8; 32]);

impl ProgramHash {
    pub fn of(program: &[u8]) -> ProgramHash {
        ProgramHash(Sha512_256::digest(program).into())
    }
}

impl std::fmt::Display for ProgramHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

/// A report's verification code: the hash's first 8 hex digits, upper case, and the evaluation
/// date, "3F2A9C1B-20250901": short enough to print and type, enough to tell releases apart.
pub fn verification_code(hash: ProgramHash, date: Date) -> String {
    // Hex digits are ASCII: `to_uppercase` would bring Unicode's case tables into the
    // evaluation-only module (7 KB gzipped).
    let digits = hex(&hash.0[..4]).to_ascii_uppercase();
    format!("{digits}-{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// A verification code's hash digits (upper case) and date; `None` for text that is not one.
pub fn read_verification_code(code: &str) -> Option<(String, Date)> {
    let (digits, date) = code.trim().split_once('-')?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) || date.len() != 8 {
        return None;
    }
    let date = date.get(..4)?.to_string() + "-" + date.get(4..6)? + "-" + date.get(6..)?;
    Some((digits.to_ascii_uppercase(), Date::parse(&date)?))
}

/// Versions are JSON numbers in reports: at most 2^53 - 1, which every JavaScript reads exactly.
pub const MAX_VERSION: u64 = (1 << 53) - 1;

/// What a signed bundle says of itself, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub ruleset: String,
    /// Only grows from one release of a rule set to the next (see [`Trust::accepted_version`]).
    pub version: u64,
    pub issuer: String,
    pub key_id: KeyId,
    pub issued: Date,
    pub hash: ProgramHash,
}

/// Where a loaded program comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// A bundle signed by a trusted key.
    Signed(Manifest),
    /// A program that no key vouches for: compiled from rule text here, or loaded unsigned with
    /// [`Trust::allow_unsigned`]. Development only.
    Unsigned { hash: ProgramHash },
}

impl Provenance {
    pub fn hash(&self) -> ProgramHash {
        match self {
            Provenance::Signed(manifest) => manifest.hash,
            Provenance::Unsigned { hash } => *hash,
        }
    }
}

/// Which bundles a loader accepts. The default accepts nothing: a page names the keys it trusts.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    keys: Vec<PublicKey>,
    accepted_version: Option<u64>,
    allow_unsigned: bool,
}

impl Trust {
    /// Bundles signed by any of `keys` (several while an office rotates its key).
    pub fn keys(keys: impl IntoIterator<Item = PublicKey>) -> Trust {
        let mut trusted: Vec<PublicKey> = Vec::new();
        for key in keys {
            // The same key given twice is the same trust; ids are hashes of the keys, so one id is
            // one key (its issuer name is compared with each bundle's).
            if !trusted.contains(&key) {
                trusted.push(key);
            }
        }
        Trust { keys: trusted, ..Trust::default() }
    }

    /// Refuses a bundle whose version is older than `version`, the last one this caller accepted
    /// (a rollback to rules that were withdrawn).
    pub fn accepted_version(mut self, version: u64) -> Trust {
        self.accepted_version = Some(version);
        self
    }

    /// Trusts no key and accepts unsigned programs: `Trust::default().allow_unsigned()`, for
    /// development and tests.
    pub fn development() -> Trust {
        Trust::default().allow_unsigned()
    }

    /// Accepts programs that are not signed: for development and tests, never for citizens. The
    /// report then says the rules are unsigned.
    pub fn allow_unsigned(mut self) -> Trust {
        self.allow_unsigned = true;
        self
    }

    pub fn trusted(&self) -> &[PublicKey] {
        &self.keys
    }
}

fn error(kind: LoadErrorKind) -> LoadError {
    LoadError { kind }
}

/// A signed bundle of `program` (the bytes of `precompiled::to_bytes`), or why a manifest cannot
/// hold `ruleset`.
pub fn seal(program: &[u8], ruleset: &str, version: u64, issued: Date, key: &SecretKey) -> Result<Vec<u8>, LoadError> {
    if ruleset.is_empty() || ruleset.len() > MAX_RULESET_BYTES {
        let detail = format!("a rule set id must have 1 to {MAX_RULESET_BYTES} bytes");
        return Err(error(LoadErrorKind::Invalid { detail }));
    }
    if version > MAX_VERSION {
        return Err(error(LoadErrorKind::Invalid { detail: format!("a version above {MAX_VERSION}") }));
    }
    let mut bytes = SIGNED_MAGIC.to_vec();
    bytes.extend(BUNDLE_FORMAT.to_le_bytes());
    bytes.push(ED25519_SHA512_256);
    let id = key.public().id;
    bytes.push(KEY_ID_BYTES as u8);
    bytes.extend(id.0);
    let mut manifest = Vec::new();
    // Ids and issuer names are short (MAX_RULESET_BYTES, MAX_ISSUER_BYTES): u16 lengths hold them.
    let text = |manifest: &mut Vec<u8>, text: &str| {
        manifest.extend((text.len() as u16).to_le_bytes());
        manifest.extend(text.as_bytes());
    };
    text(&mut manifest, ruleset);
    manifest.extend(version.to_le_bytes());
    text(&mut manifest, &key.issuer);
    let issued = issued.to_string();
    manifest.push(issued.len() as u8);
    manifest.extend(issued.as_bytes());
    manifest.extend((program.len() as u64).to_le_bytes());
    manifest.extend(ProgramHash::of(program).0);
    bytes.extend((manifest.len() as u16).to_le_bytes());
    bytes.extend(manifest);
    let signature = key.key.sign(&bytes);
    bytes.push(SIGNATURE_BYTES as u8);
    bytes.extend(signature.to_bytes());
    bytes.extend(program);
    Ok(bytes)
}

/// The program in `bytes`, verified by [`open`] and then decoded (`precompiled::from_bytes`): the
/// rule set it says it is, or an error.
pub fn load(bytes: &[u8], trust: &Trust) -> Result<(Provenance, Program), LoadError> {
    let (provenance, program) = open(bytes, trust)?;
    let program = crate::precompiled::from_bytes(program)?;
    if let Provenance::Signed(manifest) = &provenance {
        if manifest.ruleset != program.id {
            let detail = format!("the manifest names rule set `{}`, the program is `{}`", manifest.ruleset, program.id);
            return Err(error(LoadErrorKind::Invalid { detail }));
        }
    }
    Ok((provenance, program))
}

/// Verifies `bytes` against `trust` and returns where the program comes from and its bytes, not
/// yet decoded. Fails closed: anything but a bundle that a trusted key signed, unaltered, of a
/// version not older than the last accepted, is an error (or an unsigned program, when allowed).
pub fn open<'b>(bytes: &'b [u8], trust: &Trust) -> Result<(Provenance, &'b [u8]), LoadError> {
    if bytes.starts_with(MAGIC) {
        return if trust.allow_unsigned {
            Ok((Provenance::Unsigned { hash: ProgramHash::of(bytes) }, bytes))
        } else {
            Err(error(LoadErrorKind::Unsigned))
        };
    }
    let mut reader = Reader { bytes, at: 0 };
    if !bytes.starts_with(SIGNED_MAGIC) {
        let prefix = !bytes.is_empty() && (SIGNED_MAGIC.starts_with(bytes) || MAGIC.starts_with(bytes));
        return Err(error(if prefix { LoadErrorKind::Truncated } else { LoadErrorKind::WrongMagic }));
    }
    reader.at = SIGNED_MAGIC.len();
    let format = u16::from_le_bytes(reader.array()?);
    if format != BUNDLE_FORMAT {
        return Err(error(LoadErrorKind::BundleFormat { found: format }));
    }
    let [algorithm] = reader.array()?;
    if algorithm != ED25519_SHA512_256 {
        return Err(error(LoadErrorKind::Algorithm { found: algorithm }));
    }
    let key_id = reader.short()?;
    let key_id = match <[u8; KEY_ID_BYTES]>::try_from(key_id) {
        Ok(id) => KeyId(id),
        Err(_) if key_id.is_empty() => return Err(error(LoadErrorKind::KeyIdMissing)),
        Err(_) => return Err(error(LoadErrorKind::Invalid { detail: format!("a key id of {} bytes", key_id.len()) })),
    };
    let manifest_length = usize::from(u16::from_le_bytes(reader.array()?));
    let manifest = reader.take(manifest_length)?;
    let signed = &bytes[..reader.at];
    let signature = match reader.bytes.get(reader.at) {
        None | Some(0) => return Err(error(LoadErrorKind::SignatureMissing)),
        Some(&length) if usize::from(length) != SIGNATURE_BYTES => {
            return Err(error(LoadErrorKind::SignatureTruncated))
        }
        Some(_) => {
            reader.at += 1;
            reader.take(SIGNATURE_BYTES).map_err(|_| error(LoadErrorKind::SignatureTruncated))?
        }
    };
    let signature = Signature::from_slice(signature).map_err(|_| error(LoadErrorKind::BadSignature { key_id }))?;
    let verifies = |key: &PublicKey| key.key.verify_strict(signed, &signature).is_ok();
    let Some(key) = trust.keys.iter().find(|key| key.id == key_id) else {
        // Signed by a key this caller does not trust, or its id altered: which, if a trusted key
        // signed it, is worth saying.
        if let Some(signer) = trust.keys.iter().find(|key| verifies(key)) {
            return Err(error(LoadErrorKind::KeyIdMismatch { claimed: key_id, signer: signer.id }));
        }
        return Err(error(LoadErrorKind::UnknownKey {
            key_id,
            trusted: trust.keys.iter().map(|key| key.id).collect(),
        }));
    };
    if !verifies(key) {
        if let Some(signer) = trust.keys.iter().find(|other| other.id != key_id && verifies(other)) {
            return Err(error(LoadErrorKind::KeyIdMismatch { claimed: key_id, signer: signer.id }));
        }
        return Err(error(LoadErrorKind::BadSignature { key_id }));
    }
    // From here every byte before the program is the issuer's.
    let manifest = read_manifest(manifest, key_id)?;
    let program = &bytes[reader.at..];
    let length = manifest.1;
    let manifest = manifest.0;
    match (program.len() as u64).cmp(&length) {
        std::cmp::Ordering::Less => return Err(error(LoadErrorKind::Truncated)),
        std::cmp::Ordering::Greater => return Err(error(LoadErrorKind::ProgramAltered)),
        std::cmp::Ordering::Equal => {}
    }
    if ProgramHash::of(program) != manifest.hash {
        return Err(error(LoadErrorKind::ProgramAltered));
    }
    if manifest.issuer != key.issuer {
        return Err(error(LoadErrorKind::IssuerMismatch { bundle: manifest.issuer, key: key.issuer.clone() }));
    }
    if let Some(accepted) = trust.accepted_version.filter(|&accepted| manifest.version < accepted) {
        return Err(error(LoadErrorKind::OlderVersion { version: manifest.version, accepted }));
    }
    Ok((Provenance::Signed(manifest), program))
}

/// The manifest and the program length it declares.
fn read_manifest(bytes: &[u8], key_id: KeyId) -> Result<(Manifest, u64), LoadError> {
    let invalid = |what: &str| error(LoadErrorKind::Invalid { detail: format!("the signed manifest: {what}") });
    let mut reader = Reader { bytes, at: 0 };
    let text = |reader: &mut Reader, limit: usize, what: &str| -> Result<String, LoadError> {
        let length = usize::from(u16::from_le_bytes(reader.array().map_err(|_| invalid(what))?));
        let text = reader.take(length).map_err(|_| invalid(what))?;
        let text = std::str::from_utf8(text).map_err(|_| invalid(what))?;
        if text.is_empty() || text.len() > limit || text.chars().any(char::is_control) {
            return Err(invalid(what));
        }
        Ok(text.to_string())
    };
    let ruleset = text(&mut reader, MAX_RULESET_BYTES, "the rule set id")?;
    let version = u64::from_le_bytes(reader.array().map_err(|_| invalid("the version"))?);
    if version > MAX_VERSION {
        return Err(invalid("the version"));
    }
    let issuer = text(&mut reader, MAX_ISSUER_BYTES, "the issuer")?;
    let issued = reader.short().map_err(|_| invalid("the issue date"))?;
    let issued = std::str::from_utf8(issued).ok().and_then(Date::parse).ok_or_else(|| invalid("the issue date"))?;
    let length = u64::from_le_bytes(reader.array().map_err(|_| invalid("the program length"))?);
    let hash = ProgramHash(reader.array().map_err(|_| invalid("the program hash"))?);
    if reader.at != bytes.len() {
        return Err(invalid("bytes after the program hash"));
    }
    Ok((Manifest { ruleset, version, issuer, key_id, issued, hash }, length))
}

/// Reads fixed fields front to back; running out is `Truncated`.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Result<&'b [u8], LoadError> {
        let end =
            self.at.checked_add(n).filter(|&end| end <= self.bytes.len()).ok_or(error(LoadErrorKind::Truncated))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], LoadError> {
        self.take(N).map(|b| {
            let mut array = [0; N];
            array.copy_from_slice(b);
            array
        })
    }

    /// A field of up to 255 bytes after its length byte.
    fn short(&mut self) -> Result<&'b [u8], LoadError> {
        let [length] = self.array()?;
        self.take(usize::from(length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_codes_read_back() {
        let date = Date::from_ymd(2025, 9, 1).expect("a date");
        let code = verification_code(ProgramHash([0x3f; 32]), date);
        assert_eq!(code, "3F3F3F3F-20250901");
        assert_eq!(read_verification_code(&code), Some(("3F3F3F3F".into(), date)));
        assert_eq!(read_verification_code("3f3f3f3f-20250901"), Some(("3F3F3F3F".into(), date)));
        for not_a_code in
            ["", "3F3F3F3F", "3F3F3F3-20250901", "3F3F3F3F-20250230", "GGGGGGGG-20250901", "3F3F3F3F-2025091"]
        {
            assert_eq!(read_verification_code(not_a_code), None, "{not_a_code:?}");
        }
    }
}
