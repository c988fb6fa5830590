//! Issuer keys: an office's Ed25519 key pair, as the two small text files `eligo keygen` writes.
//!
//! ```text
//! # Eligo issuer key of 北京市民政局. SECRET: …
//! issuer: 北京市民政局
//! key-id: 5c1f0e2a9b7d3468
//! secret-key: <64 hex digits>
//! ```
//!
//! The public file is the same with `public-key:`. A key's id is the first 8 bytes of the
//! SHA-512/256 hash of its public key, so the `key-id` line is a check: a file whose id is not its
//! key's is refused, never trusted by its id. Lines starting with `#` are comments; every field is
//! written once.

use sha2::{Digest, Sha512_256};

pub use ed25519_dalek::{SigningKey, VerifyingKey};

/// The bytes of a key id.
pub const KEY_ID_BYTES: usize = 8;

/// The longest issuer name a key or bundle holds, in bytes (a name of an office, not a text).
pub const MAX_ISSUER_BYTES: usize = 200;

/// Which key signed: the first bytes of its public key's hash, shown as 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub [u8; KEY_ID_BYTES]);

impl KeyId {
    pub fn of(key: &VerifyingKey) -> KeyId {
        let hash = Sha512_256::digest(key.as_bytes());
        let mut id = [0; KEY_ID_BYTES];
        id.copy_from_slice(&hash[..KEY_ID_BYTES]);
        KeyId(id)
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

/// An issuer's public key: what a page or a verifier trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub issuer: String,
    pub id: KeyId,
    pub key: VerifyingKey,
}

/// An issuer's secret key: what `eligo build --sign` signs with.
#[derive(Clone)]
pub struct SecretKey {
    pub issuer: String,
    pub key: SigningKey,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself, in a log or a panic message.
        write!(f, "SecretKey {{ issuer: {:?}, id: {} }}", self.issuer, self.public().id)
    }
}

/// Why a key file's text is not a key; rendered by [`KeyErrorKind::message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub kind: KeyErrorKind,
}

impl std::error::Error for KeyError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyErrorKind {
    /// A secret key where a public one was asked for: a verifier must never hold it.
    SecretNotPublic,
    /// A public key where the secret one was asked for (signing).
    PublicNotSecret,
    /// A line that is not `field: value` or a comment (1-based line number).
    NotAField {
        line: usize,
    },
    UnknownField {
        field: String,
    },
    FieldTwice {
        field: &'static str,
    },
    MissingField {
        field: &'static str,
    },
    /// Not hex digits, or not as many as the field holds.
    BadHex {
        field: &'static str,
        digits: usize,
    },
    EmptyIssuer,
    IssuerTooLong,
    /// The `key-id` line is not the id of the key in the file.
    KeyIdMismatch {
        written: String,
        actual: KeyId,
    },
    /// 32 bytes that are not a point of the curve: not a public key.
    NotAKey,
}

fn error(kind: KeyErrorKind) -> KeyError {
    KeyError { kind }
}

impl PublicKey {
    /// A public key file's text (`issuer.pub`).
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let fields = Fields::read(text, Kind::Public)?;
        let bytes = fields.bytes::<32>("public-key", fields.key)?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| error(KeyErrorKind::NotAKey))?;
        let id = KeyId::of(&key);
        fields.check_id(id)?;
        Ok(PublicKey { issuer: fields.issuer, id, key })
    }

    /// The text of `issuer.pub`, which [`PublicKey::parse`] reads.
    pub fn to_text(&self) -> String {
        format!(
            "# Eligo public key of {issuer}: give it to every page and verifier that trusts rules from this issuer.\n\
             issuer: {issuer}\nkey-id: {}\npublic-key: {}\n",
            self.id,
            hex(self.key.as_bytes()),
            issuer = self.issuer,
        )
    }
}

impl SecretKey {
    /// A new key for `issuer` from 32 random bytes (the CLI takes them from the operating system).
    pub fn from_seed(issuer: &str, seed: [u8; 32]) -> Result<SecretKey, KeyError> {
        Ok(SecretKey { issuer: checked_issuer(issuer)?, key: SigningKey::from_bytes(&seed) })
    }

    /// A secret key file's text (`issuer.key`).
    pub fn parse(text: &str) -> Result<SecretKey, KeyError> {
        let fields = Fields::read(text, Kind::Secret)?;
        let key = SigningKey::from_bytes(&fields.bytes::<32>("secret-key", fields.key)?);
        fields.check_id(KeyId::of(&key.verifying_key()))?;
        Ok(SecretKey { issuer: fields.issuer, key })
    }

    /// The Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.key.sign(message).to_bytes()
    }

    pub fn public(&self) -> PublicKey {
        let key = self.key.verifying_key();
        PublicKey { issuer: self.issuer.clone(), id: KeyId::of(&key), key }
    }

    /// The text of `issuer.key`, which [`SecretKey::parse`] reads.
    pub fn to_text(&self) -> String {
        format!(
            "# Eligo issuer key of {issuer}. SECRET: whoever has this file can issue rules in the name of {issuer}.\n\
             # Keep it offline; give out the .pub file written with it, never this one.\n\
             issuer: {issuer}\nkey-id: {}\nsecret-key: {}\n",
            self.public().id,
            hex(self.key.as_bytes()),
            issuer = self.issuer,
        )
    }
}

#[derive(PartialEq)]
enum Kind {
    Public,
    Secret,
}

/// The fields of a key file, each read once.
struct Fields<'t> {
    issuer: String,
    id: &'t str,
    key: &'t str,
}

impl<'t> Fields<'t> {
    fn read(text: &'t str, kind: Kind) -> Result<Fields<'t>, KeyError> {
        let (mut issuer, mut id, mut public, mut secret) = (None, None, None, None);
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (field, value) = line.split_once(':').ok_or(error(KeyErrorKind::NotAField { line: number + 1 }))?;
            let (slot, name) = match field.trim() {
                "issuer" => (&mut issuer, "issuer"),
                "key-id" => (&mut id, "key-id"),
                "public-key" => (&mut public, "public-key"),
                "secret-key" => (&mut secret, "secret-key"),
                other => return Err(error(KeyErrorKind::UnknownField { field: other.to_string() })),
            };
            if slot.replace(value.trim()).is_some() {
                return Err(error(KeyErrorKind::FieldTwice { field: name }));
            }
        }
        let key = match (kind, public, secret) {
            (Kind::Public, _, Some(_)) => return Err(error(KeyErrorKind::SecretNotPublic)),
            (Kind::Secret, Some(_), None) => return Err(error(KeyErrorKind::PublicNotSecret)),
            (Kind::Secret, Some(_), Some(_)) => {
                return Err(error(KeyErrorKind::UnknownField { field: "public-key".into() }))
            }
            (Kind::Public, Some(key), None) | (Kind::Secret, None, Some(key)) => key,
            (Kind::Public, None, None) => return Err(error(KeyErrorKind::MissingField { field: "public-key" })),
            (Kind::Secret, None, None) => return Err(error(KeyErrorKind::MissingField { field: "secret-key" })),
        };
        let missing = |field| error(KeyErrorKind::MissingField { field });
        let issuer = checked_issuer(issuer.ok_or_else(|| missing("issuer"))?)?;
        Ok(Fields { issuer, id: id.ok_or_else(|| missing("key-id"))?, key })
    }

    fn bytes<const N: usize>(&self, field: &'static str, text: &str) -> Result<[u8; N], KeyError> {
        unhex(text)
            .and_then(|b| <[u8; N]>::try_from(b).ok())
            .ok_or(error(KeyErrorKind::BadHex { field, digits: N * 2 }))
    }

    fn check_id(&self, actual: KeyId) -> Result<(), KeyError> {
        let written = self.bytes::<KEY_ID_BYTES>("key-id", self.id)?;
        if written != actual.0 {
            return Err(error(KeyErrorKind::KeyIdMismatch { written: self.id.to_string(), actual }));
        }
        Ok(())
    }
}

fn checked_issuer(issuer: &str) -> Result<String, KeyError> {
    let issuer = issuer.trim();
    if issuer.is_empty() {
        return Err(error(KeyErrorKind::EmptyIssuer));
    }
    // One line of printable text: the name is shown on pages and printed summaries.
    if issuer.len() > MAX_ISSUER_BYTES || issuer.chars().any(char::is_control) {
        return Err(error(KeyErrorKind::IssuerTooLong));
    }
    Ok(issuer.to_string())
}

/// Lower-case hex digits.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 15)] as char);
    }
    text
}

/// Hex digits (either case) to bytes; `None` for anything else.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let text = text.as_bytes();
    if text.len() % 2 != 0 {
        return None;
    }
    text.chunks(2).map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_seed("北京市民政局", [7; 32]).expect("a valid issuer")
    }

    #[test]
    fn key_files_read_back() {
        let secret = key();
        let read = SecretKey::parse(&secret.to_text()).expect("the secret key file reads back");
        assert_eq!(read.key.as_bytes(), secret.key.as_bytes());
        assert_eq!(read.issuer, "北京市民政局");
        let public = PublicKey::parse(&secret.public().to_text()).expect("the public key file reads back");
        assert_eq!(public, secret.public());
        assert_eq!(public.id.to_string().len(), 16);
    }

    #[test]
    fn a_key_file_that_is_not_right_is_refused_with_its_reason() {
        let public = key().public().to_text();
        let kind = |text: &str| PublicKey::parse(text).map(|_| ()).map_err(|e| e.kind);
        assert_eq!(kind(&key().to_text()), Err(KeyErrorKind::SecretNotPublic));
        assert_eq!(SecretKey::parse(&public).map(|_| ()).map_err(|e| e.kind), Err(KeyErrorKind::PublicNotSecret));
        let other_id = public.replace(&key().public().id.to_string(), "0000000000000000");
        assert!(matches!(kind(&other_id), Err(KeyErrorKind::KeyIdMismatch { .. })));
        assert_eq!(kind(&format!("{public}issuer: 又一个\n")), Err(KeyErrorKind::FieldTwice { field: "issuer" }));
        assert_eq!(
            kind(&format!("{public}colour: blue\n")),
            Err(KeyErrorKind::UnknownField { field: "colour".into() })
        );
        assert_eq!(kind(&format!("{public}just words\n")), Err(KeyErrorKind::NotAField { line: 5 }));
        let cut = public.lines().filter(|l| !l.starts_with("issuer")).collect::<Vec<_>>().join("\n");
        assert_eq!(kind(&cut), Err(KeyErrorKind::MissingField { field: "issuer" }));
        let short = public.replace("public-key: ", "public-key: 00");
        assert_eq!(kind(&short), Err(KeyErrorKind::BadHex { field: "public-key", digits: 64 }));
        assert_eq!(kind(""), Err(KeyErrorKind::MissingField { field: "public-key" }));
        assert_eq!(SecretKey::from_seed("  ", [1; 32]).map(|_| ()).map_err(|e| e.kind), Err(KeyErrorKind::EmptyIssuer));
        assert_eq!(
            SecretKey::from_seed("a\nb", [1; 32]).map(|_| ()).map_err(|e| e.kind),
            Err(KeyErrorKind::IssuerTooLong)
        );
    }

    #[test]
    fn hex_reads_what_it_writes_and_nothing_else() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(unhex("00AB10"), Some(vec![0, 0xab, 0x10]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("é1"), None);
    }
}
