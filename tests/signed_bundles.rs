//! Signed rule bundles (`eligo::bundle`): a bundle signed by a trusted key loads and its reports say
//! who issued the rules; every other bundle is refused with its own reason, before its program is
//! decoded: unsigned, unknown key, any byte altered anywhere, any cut, the signature stripped, the key
//! id absent or naming another key, an issuer other than the key's, a version older than accepted.

use eligo::bundle::{self, Manifest, ProgramHash, Provenance, Trust, SIGNED_MAGIC};
use eligo::date::Date;
use eligo::keys::{KeyId, PublicKey, SecretKey};
use eligo::precompiled::{LoadErrorKind, MAGIC};
use eligo::vocabulary::Lang;
use eligo::{ffi, Engine};
use serde_json::json;

const RULES: &str = r#"
ruleset signing_test "签名测试" en "Signing test"
input age: int label "年龄" en "Age"
policy senior "老年优待" en "Senior concession"
  require age >= 60 "年满60周岁" en "Aged 60 or over"
  amount monthly = 100
"#;

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&format!("发布机关 {seed}"), [seed; 32]).expect("a valid issuer")
}

fn issued() -> Date {
    Date::from_ymd(2026, 12, 1).expect("a date")
}

fn program() -> Vec<u8> {
    Engine::compile(&[("signing.rules", RULES)]).unwrap_or_else(|e| panic!("{}", e.message)).to_bytes()
}

fn sealed(version: u64, key: &SecretKey) -> Vec<u8> {
    bundle::seal(&program(), "signing_test", version, issued(), key).expect("the bundle seals")
}

fn reason(bytes: &[u8], trust: &Trust) -> Result<Provenance, LoadErrorKind> {
    Engine::load(bytes, trust).map(|engine| engine.provenance()).map_err(|e| e.kind)
}

fn trusting(keys: &[&SecretKey]) -> Trust {
    Trust::keys(keys.iter().map(|key| key.public()))
}

/// Where the parts of a bundle sealed by `sealed` are (its layout is fixed: bundle.rs).
struct Layout {
    key_id: std::ops::Range<usize>,
    manifest: std::ops::Range<usize>,
    signature: std::ops::Range<usize>,
    program: usize,
}

fn layout(bytes: &[u8]) -> Layout {
    let key_id = SIGNED_MAGIC.len() + 2 + 1 + 1;
    let length_at = key_id + 8;
    let manifest_length = usize::from(u16::from_le_bytes([bytes[length_at], bytes[length_at + 1]]));
    let manifest = length_at + 2..length_at + 2 + manifest_length;
    let signature = manifest.end + 1..manifest.end + 1 + 64;
    Layout { key_id: key_id..key_id + 8, program: signature.end, manifest, signature }
}

/// `bytes` with the part before the signature replaced by `header` and signed again by `key`: a
/// bundle whose only fault is what `header` changed.
fn resigned(header: &[u8], program: &[u8], key: &SecretKey) -> Vec<u8> {
    let mut bytes = header.to_vec();
    bytes.push(64);
    bytes.extend(key.sign(header));
    bytes.extend(program);
    bytes
}

#[test]
fn a_bundle_signed_by_a_trusted_key_loads_and_its_reports_say_who_issued_it() {
    let key = key(1);
    let bytes = sealed(3, &key);
    let engine = Engine::load(&bytes, &trusting(&[&key])).expect("the signed bundle loads");
    let hash = ProgramHash::of(&program());
    assert_eq!(
        engine.provenance(),
        Provenance::Signed(Manifest {
            ruleset: "signing_test".into(),
            version: 3,
            issuer: "发布机关 1".into(),
            key_id: key.public().id,
            issued: issued(),
            hash,
        })
    );
    let report = ffi::evaluate(&engine, &json!({ "age": 61 }), "2025-09-01", ffi::options(None, false))
        .expect("the citizen is evaluated");
    let rules = serde_json::to_value(report.rules).expect("JSON");
    let code = format!("{}-20250901", hash.to_string()[..8].to_uppercase());
    assert_eq!(
        rules,
        json!({
            "id": "signing_test", "signed": true, "version": 3, "issuer": "发布机关 1",
            "keyId": key.public().id.to_string(), "issued": "2026-12-01", "hash": hash.to_string(),
            "verificationCode": code,
        })
    );
}

#[test]
fn the_same_rules_have_the_same_hash_signed_unsigned_or_compiled() {
    let compiled = Engine::compile(&[("signing.rules", RULES)]).expect("compiles");
    let unsigned = Engine::load(&compiled.to_bytes(), &Trust::development()).expect("loads unsigned");
    let signed = Engine::load(&sealed(1, &key(1)), &trusting(&[&key(1)])).expect("loads signed");
    let hashes = [&compiled, &unsigned, &signed].map(|engine| engine.rules().hash);
    assert!(hashes.iter().all(|hash| *hash == hashes[0]), "{hashes:?}");
    assert!(!compiled.rules().signed && !unsigned.rules().signed && signed.rules().signed);
}

#[test]
fn unsigned_rules_are_refused_unless_development_allows_them() {
    let unsigned = program();
    assert_eq!(reason(&unsigned, &trusting(&[&key(1)])), Err(LoadErrorKind::Unsigned));
    assert_eq!(reason(&unsigned, &Trust::default()), Err(LoadErrorKind::Unsigned));
    let allowed = reason(&unsigned, &trusting(&[&key(1)]).allow_unsigned());
    assert_eq!(allowed, Ok(Provenance::Unsigned { hash: ProgramHash::of(&unsigned) }));
}

#[test]
fn a_bundle_of_a_key_not_trusted_is_refused_naming_the_keys() {
    let bytes = sealed(1, &key(1));
    assert_eq!(
        reason(&bytes, &Trust::default()),
        Err(LoadErrorKind::UnknownKey { key_id: key(1).public().id, trusted: vec![] })
    );
    assert_eq!(
        reason(&bytes, &trusting(&[&key(2)])),
        Err(LoadErrorKind::UnknownKey { key_id: key(1).public().id, trusted: vec![key(2).public().id] })
    );
    // Allowing unsigned rules trusts no signature.
    assert!(matches!(reason(&bytes, &Trust::development()), Err(LoadErrorKind::UnknownKey { .. })));
}

#[test]
fn every_altered_byte_is_refused_with_the_reason_of_its_part() {
    let key = key(1);
    let bytes = sealed(1, &key);
    let at = layout(&bytes);
    let trust = trusting(&[&key]);
    for i in 0..bytes.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut altered = bytes.clone();
            altered[i] ^= flip;
            let got = reason(&altered, &trust);
            let ok = match &got {
                Ok(_) => false,
                _ if i < SIGNED_MAGIC.len() => {
                    matches!(got, Err(LoadErrorKind::WrongMagic | LoadErrorKind::Truncated | LoadErrorKind::Unsigned))
                }
                _ if i < SIGNED_MAGIC.len() + 2 => matches!(got, Err(LoadErrorKind::BundleFormat { .. })),
                _ if i == SIGNED_MAGIC.len() + 2 => matches!(got, Err(LoadErrorKind::Algorithm { .. })),
                // The key id's length: an id of another length, or a cut.
                _ if i == SIGNED_MAGIC.len() + 3 => {
                    matches!(
                        got,
                        Err(LoadErrorKind::Invalid { .. } | LoadErrorKind::KeyIdMissing | LoadErrorKind::Truncated)
                    )
                }
                _ if at.key_id.contains(&i) => matches!(got, Err(LoadErrorKind::UnknownKey { .. })),
                // The manifest's length moves the signature: a signature in the wrong place does not verify.
                _ if i < at.manifest.start => matches!(
                    got,
                    Err(LoadErrorKind::BadSignature { .. }
                        | LoadErrorKind::SignatureTruncated
                        | LoadErrorKind::SignatureMissing
                        | LoadErrorKind::Truncated)
                ),
                _ if at.manifest.contains(&i) => matches!(got, Err(LoadErrorKind::BadSignature { .. })),
                _ if i == at.manifest.end => {
                    matches!(got, Err(LoadErrorKind::SignatureTruncated | LoadErrorKind::SignatureMissing))
                }
                _ if at.signature.contains(&i) => matches!(got, Err(LoadErrorKind::BadSignature { .. })),
                _ => got == Err(LoadErrorKind::ProgramAltered),
            };
            assert!(ok, "byte {i} ^ {flip:#x} of {}: {got:?}", bytes.len());
        }
    }
}

#[test]
fn every_cut_is_refused_and_bytes_added_too() {
    let key = key(1);
    let bytes = sealed(1, &key);
    let at = layout(&bytes);
    let trust = trusting(&[&key]);
    for end in 0..bytes.len() {
        let got = reason(&bytes[..end], &trust);
        let expected: &[LoadErrorKind] = if end == 0 {
            &[LoadErrorKind::WrongMagic]
        } else if end == at.manifest.end {
            &[LoadErrorKind::SignatureMissing]
        } else if at.signature.start <= end && end < at.signature.end {
            &[LoadErrorKind::SignatureTruncated]
        } else {
            &[LoadErrorKind::Truncated]
        };
        assert!(got.as_ref().is_err_and(|kind| expected.contains(kind)), "cut at {end}: {got:?}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(reason(&longer, &trust), Err(LoadErrorKind::ProgramAltered));
    let mut stripped = bytes[..at.manifest.end].to_vec();
    stripped.extend(&bytes[at.program..]);
    assert_eq!(reason(&stripped, &trust), Err(LoadErrorKind::SignatureMissing));
    let mut zeroed = bytes[..at.manifest.end].to_vec();
    zeroed.push(0);
    zeroed.extend(&bytes[at.program..]);
    assert_eq!(reason(&zeroed, &trust), Err(LoadErrorKind::SignatureMissing));
}

#[test]
fn a_key_id_absent_or_naming_another_key_is_refused() {
    let (a, b) = (key(1), key(2));
    let bytes = sealed(1, &a);
    let at = layout(&bytes);
    let program = &bytes[at.program..];
    // No key id, signed by the issuer all the same.
    let mut header = bytes[..at.key_id.start - 1].to_vec();
    header.push(0);
    header.extend(&bytes[at.key_id.end..at.manifest.end]);
    assert_eq!(reason(&resigned(&header, program, &a), &trusting(&[&a])), Err(LoadErrorKind::KeyIdMissing));
    // Names key A, signed by key B.
    let claims_a = resigned(&bytes[..at.manifest.end], program, &b);
    let mismatch = Err(LoadErrorKind::KeyIdMismatch { claimed: a.public().id, signer: b.public().id });
    assert_eq!(reason(&claims_a, &trusting(&[&a, &b])), mismatch);
    assert_eq!(reason(&claims_a, &trusting(&[&b])), mismatch);
    assert_eq!(reason(&claims_a, &trusting(&[&a])), Err(LoadErrorKind::BadSignature { key_id: a.public().id }));
}

#[test]
fn the_issuer_must_be_the_trusted_keys() {
    let key = key(1);
    let renamed = PublicKey { issuer: "另一个机关".into(), ..key.public() };
    assert_eq!(
        reason(&sealed(1, &key), &Trust::keys([renamed])),
        Err(LoadErrorKind::IssuerMismatch { bundle: "发布机关 1".into(), key: "另一个机关".into() })
    );
}

#[test]
fn a_version_older_than_the_one_accepted_is_refused() {
    let key = key(1);
    let trust = |accepted| trusting(&[&key]).accepted_version(accepted);
    assert_eq!(reason(&sealed(4, &key), &trust(5)), Err(LoadErrorKind::OlderVersion { version: 4, accepted: 5 }));
    assert!(reason(&sealed(5, &key), &trust(5)).is_ok(), "the version accepted loads again");
    assert!(reason(&sealed(6, &key), &trust(5)).is_ok(), "a newer one loads");
    assert!(bundle::seal(&program(), "signing_test", bundle::MAX_VERSION + 1, issued(), &key).is_err());
}

#[test]
fn keys_rotate_every_trusted_key_loads_its_bundles() {
    let (old, new) = (key(1), key(2));
    let trust = trusting(&[&old, &new]);
    for key in [&old, &new] {
        let provenance = reason(&sealed(1, key), &trust);
        assert!(matches!(&provenance, Ok(Provenance::Signed(m)) if m.key_id == key.public().id), "{provenance:?}");
    }
    // The same key twice is one key.
    assert_eq!(Trust::keys([old.public(), old.public()]).trusted().len(), 1);
}

#[test]
fn a_manifest_naming_another_rule_set_than_its_program_is_refused() {
    let key = key(1);
    let bytes = bundle::seal(&program(), "another_set", 1, issued(), &key).expect("seals");
    assert!(matches!(reason(&bytes, &trusting(&[&key])), Err(LoadErrorKind::Invalid { .. })));
}

#[test]
fn a_signed_bundle_whose_program_is_damaged_inside_is_refused_as_the_program() {
    // Signed as it is: the signature holds, the program does not load (a signer's bug, not an attack).
    let key = key(1);
    let mut damaged = program();
    let last = damaged.len() - 9;
    damaged[last] ^= 1;
    let bytes = bundle::seal(&damaged, "signing_test", 1, issued(), &key).expect("seals");
    assert_eq!(reason(&bytes, &trusting(&[&key])), Err(LoadErrorKind::Checksum));
    assert!(damaged.starts_with(MAGIC));
}

#[test]
fn every_refusal_has_its_own_reason_and_a_message_in_each_language() {
    let id = KeyId([1; 8]);
    let kinds = [
        LoadErrorKind::Unsigned,
        LoadErrorKind::BundleFormat { found: 9 },
        LoadErrorKind::Algorithm { found: 9 },
        LoadErrorKind::KeyIdMissing,
        LoadErrorKind::KeyIdMismatch { claimed: id, signer: KeyId([2; 8]) },
        LoadErrorKind::UnknownKey { key_id: id, trusted: vec![] },
        LoadErrorKind::UnknownKey { key_id: id, trusted: vec![KeyId([2; 8])] },
        LoadErrorKind::SignatureMissing,
        LoadErrorKind::SignatureTruncated,
        LoadErrorKind::BadSignature { key_id: id },
        LoadErrorKind::ProgramAltered,
        LoadErrorKind::IssuerMismatch { bundle: "a".into(), key: "b".into() },
        LoadErrorKind::OlderVersion { version: 1, accepted: 2 },
        LoadErrorKind::WrongMagic,
        LoadErrorKind::Truncated,
        LoadErrorKind::Checksum,
        LoadErrorKind::Invalid { detail: "x".into() },
    ];
    let mut reasons: Vec<&str> = kinds.iter().map(LoadErrorKind::reason).collect();
    reasons.dedup(); // the two UnknownKey kinds share theirs
    let mut sorted = reasons.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), reasons.len(), "two kinds share a reason: {reasons:?}");
    for kind in &kinds {
        let (zh, en) = (kind.message(Lang::Zh), kind.message(Lang::En));
        assert!(!zh.is_empty() && !en.is_empty() && zh != en, "{kind:?}");
        assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "not Chinese: {zh}");
    }
}
