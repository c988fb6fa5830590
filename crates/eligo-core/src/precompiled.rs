//! Precompiled rule sets: a compiled [`Program`] as bytes, so that a build step compiles the rules
//! once and a page only loads them, with no parsing or checking on a cold start.
//!
//! The layout: the magic `ELIGO\0`; the format version (u16, little-endian); the version of the
//! engine that wrote it (one length byte, then UTF-8); the program (postcard); and a 64-bit
//! FNV-1a checksum of everything before it (little-endian). A file loads only into the engine
//! version that wrote it. The examples are not stored.
//!
//! The bytes are never trusted: decoding bounds the depth of every tree (postcard has no
//! recursion limit of its own), and [`validate`] checks every index, count, order and span that
//! the evaluator and the report writer use without checking, so that no file makes them panic.
//!
//! This module uses the program and evaluator types only, not the parser or the checker: a
//! module that only loads precompiled programs can leave those out.

use crate::date::Date;
use crate::keys::KeyId;
use crate::limits::{MAX_GROUP_MEMBERS, MAX_PROGRAM_DEPTH, MAX_PROGRAM_TABLE_DEPTH, MAX_TABLE_ROWS};
use crate::program::{Expr, ExprKind, InputDef, ListOp, NameRef, Program, Type};
use crate::source::Span;
use crate::value::{FactKey, Item, Missing, Value};
use crate::vocabulary::OutputName;
use rust_decimal::Decimal;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::cell::Cell;
use std::sync::Arc;

pub const MAGIC: &[u8; 6] = b"ELIGO\x00";
/// The layout of what follows the magic. Raise it whenever a stored type changes.
pub const FORMAT_VERSION: u16 = 2;
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
const CHECKSUM_BYTES: usize = 8;

/// Why bytes did not load as a program; rendered in Chinese or English by
/// [`LoadErrorKind::message`], in English by `Display`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub kind: LoadErrorKind,
}

impl std::error::Error for LoadError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// Not an Eligo program at all.
    WrongMagic,
    Truncated,
    Checksum,
    /// Written in another layout, `found`.
    FormatVersion {
        found: u16,
    },
    /// Written by another version of the engine, `found`.
    EngineVersion {
        found: String,
    },
    /// The checksum holds but the program is not one this engine can run: what is wrong, in the
    /// terms of the program's structure (for whoever made the bytes, not for a citizen; not
    /// translated).
    Invalid {
        detail: String,
    },
    /// A program that no key signed, where only signed bundles are accepted.
    Unsigned,
    /// A bundle in another layout than `bundle::BUNDLE_FORMAT`.
    BundleFormat {
        found: u16,
    },
    /// A signature algorithm this engine does not know.
    Algorithm {
        found: u8,
    },
    /// A bundle that does not say which key signed it.
    KeyIdMissing,
    /// The key that signed is trusted, but the bundle names another.
    KeyIdMismatch {
        claimed: KeyId,
        signer: KeyId,
    },
    /// Signed by a key that is not among `trusted`.
    UnknownKey {
        key_id: KeyId,
        trusted: Vec<KeyId>,
    },
    /// The signature is gone.
    SignatureMissing,
    /// The signature is cut short.
    SignatureTruncated,
    /// The signature does not verify with key `key_id`: the bundle was altered after signing.
    BadSignature {
        key_id: KeyId,
    },
    /// The program is not the one that was signed (its hash differs, or bytes were added).
    ProgramAltered,
    /// The bundle names another issuer than the trusted key it was signed with.
    IssuerMismatch {
        bundle: String,
        key: String,
    },
    /// Older than the version the caller accepted last: rules that were replaced.
    OlderVersion {
        version: u64,
        accepted: u64,
    },
}

fn error(kind: LoadErrorKind) -> LoadError {
    LoadError { kind }
}

fn truncated() -> LoadError {
    error(LoadErrorKind::Truncated)
}

fn invalid(detail: String) -> LoadError {
    error(LoadErrorKind::Invalid { detail })
}

/// The program as bytes, for [`from_bytes`].
pub fn to_bytes(program: &Program) -> Vec<u8> {
    // Cannot fail: every sequence has a known length, and the one Serialize impl here that returns
    // an error is a ratio's, which no program holds (its constants are decimals). Were it to, the
    // empty body would fail to load as invalid (and `eligo build` loads what it writes before
    // writing it).
    frame(&postcard::to_allocvec(program).unwrap_or_default())
}

/// A program's encoded body in its file: the header before it, the checksum after. (Public for the
/// fuzzer, which changes bodies and must get past the checksum to reach the decoder.)
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend(FORMAT_VERSION.to_le_bytes());
    // Version strings are a few characters: one length byte holds any.
    bytes.push(ENGINE_VERSION.len() as u8);
    bytes.extend(ENGINE_VERSION.as_bytes());
    bytes.extend(body);
    let checksum = fnv1a(&bytes);
    bytes.extend(checksum.to_le_bytes());
    bytes
}

/// The program in bytes made by [`to_bytes`] of this engine version, checked so that evaluating
/// it cannot panic.
pub fn from_bytes(bytes: &[u8]) -> Result<Program, LoadError> {
    let start = header(bytes)?;
    let end = bytes.len().checked_sub(CHECKSUM_BYTES).filter(|&end| end >= start).ok_or_else(truncated)?;
    let (content, checksum) = bytes.split_at(end);
    if fnv1a(content).to_le_bytes() != checksum {
        return Err(error(LoadErrorKind::Checksum));
    }
    let program = decode(&content[start..]).map_err(invalid)?;
    validate(&program).map_err(invalid)?;
    Ok(program)
}

/// Checks the magic and the versions; returns where the program starts.
fn header(bytes: &[u8]) -> Result<usize, LoadError> {
    if !bytes.starts_with(MAGIC) {
        return Err(if !bytes.is_empty() && MAGIC.starts_with(bytes) {
            truncated()
        } else {
            error(LoadErrorKind::WrongMagic)
        });
    }
    let at = MAGIC.len();
    let format = bytes.get(at..at + 2).and_then(|b| <[u8; 2]>::try_from(b).ok()).ok_or_else(truncated)?;
    let format = u16::from_le_bytes(format);
    if format != FORMAT_VERSION {
        return Err(error(LoadErrorKind::FormatVersion { found: format }));
    }
    let length = *bytes.get(at + 2).ok_or_else(truncated)? as usize;
    let version = bytes.get(at + 3..at + 3 + length).ok_or_else(truncated)?;
    if version != ENGINE_VERSION.as_bytes() {
        let found = String::from_utf8_lossy(version).into_owned();
        return Err(error(LoadErrorKind::EngineVersion { found }));
    }
    Ok(at + 3 + length)
}

/// 64-bit FNV-1a: enough to tell a damaged file, which is all it is for (not a signature).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

thread_local! {
    /// While decoding: how deeply the expression or value being read is nested.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// Why decoding failed, when one of the impls here refused a value: postcard's errors keep
    /// no message of their own.
    static FAILURE: Cell<Option<String>> = const { Cell::new(None) };
}

fn decode(body: &[u8]) -> Result<Program, String> {
    FAILURE.with(|failure| failure.set(None));
    let (program, rest) = postcard::take_from_bytes::<Program>(body).map_err(|e| {
        let reason = FAILURE.with(Cell::take).unwrap_or_else(|| match e {
            postcard::Error::SerdeDeCustom => {
                "a date, decimal, kind or set of missing facts that does not exist".to_string()
            }
            other => other.to_string(),
        });
        format!("the program does not decode: {reason}")
    })?;
    if !rest.is_empty() {
        return Err(format!("{} bytes after the program", rest.len()));
    }
    Ok(program)
}

fn fail<E: de::Error>(message: String) -> E {
    let error = E::custom(&message);
    FAILURE.with(|failure| {
        let first = failure.take();
        failure.set(first.or(Some(message)));
    });
    error
}

/// Reads one level deeper, refusing a tree deeper than `MAX_PROGRAM_DEPTH` before recursing further.
fn nested<T, E: de::Error>(read: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let depth = DEPTH.with(|depth| {
        depth.set(depth.get() + 1);
        depth.get()
    });
    let result = if depth > MAX_PROGRAM_DEPTH {
        Err(fail(format!("expressions nested more than {MAX_PROGRAM_DEPTH} deep")))
    } else {
        read()
    };
    DEPTH.with(|depth| depth.set(depth.get() - 1));
    result
}

impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Expr, D::Error> {
        #[derive(Deserialize)]
        struct Fields {
            kind: ExprKind,
            span: Span,
        }
        nested(|| Fields::deserialize(d).map(|Fields { kind, span }| Expr { kind, span }))
    }
}

/// A value as stored: a decimal as its sign, magnitude and scale (the sign apart, to keep -0),
/// rebuilt with rust_decimal's checked constructor.
#[derive(Serialize)]
enum StoredValue<'a> {
    Bool(bool),
    Int(i64),
    Dec(bool, u128, u32),
    Date(Date),
    Text(&'a str),
    List(StoredItems<'a>),
    Unknown(&'a Missing),
}

/// `StoredValue` as read: the same variants in the same order.
#[derive(Deserialize)]
enum ReadValue {
    Bool(bool),
    Int(i64),
    Dec(bool, u128, u32),
    Date(Date),
    Text(String),
    List(Vec<Vec<Value>>),
    Unknown(Missing),
}

struct StoredItems<'a>(&'a [Item]);

impl Serialize for StoredItems<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|item| &**item))
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Bool(b) => StoredValue::Bool(*b),
            Value::Int(i) => StoredValue::Int(*i),
            Value::Dec(d) => StoredValue::Dec(d.is_sign_negative(), d.mantissa().unsigned_abs(), d.scale()),
            // Only evaluation makes ratios: a program's constants are written as decimals.
            Value::Ratio(_) => return Err(serde::ser::Error::custom("a ratio is not a constant of a program")),
            Value::Date(d) => StoredValue::Date(*d),
            Value::Text(t) => StoredValue::Text(t),
            Value::List(items) => StoredValue::List(StoredItems(items)),
            Value::Unknown(missing) => StoredValue::Unknown(missing),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        nested(|| {
            Ok(match ReadValue::deserialize(d)? {
                ReadValue::Bool(b) => Value::Bool(b),
                ReadValue::Int(i) => Value::Int(i),
                ReadValue::Dec(negative, magnitude, scale) => {
                    let mut decimal = i128::try_from(magnitude)
                        .ok()
                        .and_then(|m| Decimal::try_from_i128_with_scale(m, scale).ok())
                        .ok_or_else(|| fail(format!("a decimal out of range ({magnitude} at scale {scale})")))?;
                    decimal.set_sign_negative(negative);
                    Value::Dec(decimal)
                }
                ReadValue::Date(date) => Value::Date(date),
                ReadValue::Text(text) => Value::Text(Arc::from(text)),
                ReadValue::List(items) => Value::List(items.into_iter().map(Arc::from).collect()),
                ReadValue::Unknown(missing) => Value::Unknown(missing),
            })
        })
    }
}

/// Checks what the evaluator and the report writer index or rely on without checking: every
/// index, count, order and span. Every program the checker makes passes.
pub fn validate(program: &Program) -> Result<(), String> {
    let let_position = positions(&program.let_order, program.lets.len(), "definition")?;
    let v = Validator { program, let_position };
    for record in &program.records {
        for field in &record.fields {
            v.input(field, true).map_err(|e| format!("record `{}`: {e}", record.name))?;
        }
    }
    for input in &program.inputs {
        v.input(input, false)?;
    }
    if program.unknown_inputs.len() != program.inputs.len()
        || program.unknown_inputs.iter().enumerate().any(|(i, value)| *value != unknown(i))
    {
        return Err("the values of missing inputs do not match the inputs".into());
    }
    for param in &program.params {
        v.param(param).map_err(|e| format!("parameter `{}`: {e}", param.name))?;
    }
    let lets_of_tables = v.tables()?;
    for (i, def) in program.lets.iter().enumerate() {
        v.definition(i, def, &lets_of_tables).map_err(|e| format!("definition `{}`: {e}", def.name))?;
    }
    for policy in &program.policies {
        v.policy(policy).map_err(|e| format!("policy `{}`: {e}", policy.id))?;
    }
    for group in &program.groups {
        v.span(group.span)?;
        if group.members.len() > MAX_GROUP_MEMBERS {
            return Err(format!("group `{}` has more than {MAX_GROUP_MEMBERS} members", group.name));
        }
        for &member in &group.members {
            index(member, program.policies.len(), "policy").map_err(|e| format!("group `{}`: {e}", group.name))?;
        }
    }
    v.relations()
}

/// The value of input `i` when it is missing.
fn unknown(i: usize) -> Value {
    Value::Unknown(Missing::one(FactKey::input(i as u32)))
}

fn index(i: u32, count: usize, what: &str) -> Result<(), String> {
    if (i as usize) < count {
        Ok(())
    } else {
        Err(format!("{what} {i} does not exist (there are {count})"))
    }
}

/// Each item's place in `order`, which must list each of `count` items once.
fn positions(order: &[u32], count: usize, what: &str) -> Result<Vec<usize>, String> {
    if order.len() != count {
        return Err(format!("the order of each {what} lists {} of {count}", order.len()));
    }
    let mut position = vec![usize::MAX; count];
    for (at, &i) in order.iter().enumerate() {
        index(i, count, what)?;
        if position[i as usize] != usize::MAX {
            return Err(format!("the order of each {what} lists {what} {i} twice"));
        }
        position[i as usize] = at;
    }
    Ok(position)
}

/// What an expression reads that must be settled before it: definitions and tables.
#[derive(Default)]
struct Reads {
    lets: Vec<u32>,
    tables: Vec<u32>,
    /// The depth of the tree, counted as the checker counts it (a leaf is 1).
    depth: usize,
    /// How many list operations' item expressions the walk is inside: a field of "the item" means
    /// nothing outside them.
    items: usize,
}

struct Validator<'p> {
    program: &'p Program,
    /// Each definition's place in `let_order`.
    let_position: Vec<usize>,
}

impl Validator<'_> {
    fn span(&self, span: Span) -> Result<(), String> {
        let files = &self.program.sources.files;
        let file =
            files.get(span.file as usize).ok_or_else(|| format!("a span in file {} of {}", span.file, files.len()))?;
        let (start, end) = (span.start as usize, span.end as usize);
        if start <= end && file.text.is_char_boundary(start) && file.text.is_char_boundary(end) {
            Ok(())
        } else {
            Err(format!("the span {start}..{end} does not fit {} ({} bytes)", file.name, file.text.len()))
        }
    }

    fn ty(&self, ty: Type) -> Result<(), String> {
        match ty {
            Type::Enum(e) => index(e, self.program.enums.len(), "enum"),
            Type::List(r) => index(r, self.program.records.len(), "record"),
            _ => Ok(()),
        }
    }

    /// A value written in the rules: a constant, a bound, a parameter's value, a table cell.
    fn value(&self, value: &Value) -> Result<(), String> {
        match value {
            // The rules know their values; only facts can be missing (found by fuzzing: a constant
            // "unknown" depending on no fact made a policy undetermined with nothing to ask for).
            Value::Unknown(_) => Err("an unknown value written in the rules".into()),
            Value::List(items) => items.iter().flat_map(|item| item.iter()).try_for_each(|v| self.value(v)),
            _ => Ok(()),
        }
    }

    fn input(&self, input: &InputDef, field: bool) -> Result<(), String> {
        self.span(input.span)?;
        self.ty(input.ty)?;
        // The facts reader and the form schema follow a list into its record's fields.
        if field && matches!(input.ty, Type::List(_)) {
            return Err(format!("field `{}` holds a list", input.name));
        }
        input.min.iter().chain(&input.max).try_for_each(|v| self.value(v))
    }

    fn param(&self, param: &crate::program::ParamDef) -> Result<(), String> {
        self.span(param.span)?;
        self.ty(param.ty)?;
        for dated in &param.timeline {
            self.span(dated.span)?;
            self.value(&dated.value)?;
        }
        // `ParamDef::at` searches the timeline by its start dates.
        if param.timeline.windows(2).any(|pair| pair[0].from > pair[1].from) {
            return Err("the timeline is not ordered by date".into());
        }
        Ok(())
    }

    /// Checks an expression (at `depth`, a leaf being 1) and gathers what it reads.
    fn expr(&self, expr: &Expr, depth: usize, reads: &mut Reads) -> Result<(), String> {
        self.span(expr.span)?;
        reads.depth = reads.depth.max(depth);
        let program = self.program;
        let in_item = reads.items > 0;
        let mut sub = |e: &Expr| self.expr(e, depth + 1, reads);
        match &expr.kind {
            ExprKind::Const(value) => self.value(value),
            ExprKind::Input(i) => index(*i, program.inputs.len(), "input"),
            ExprKind::Param(i) => index(*i, program.params.len(), "parameter"),
            ExprKind::Let(i) => {
                index(*i, program.lets.len(), "definition")?;
                reads.lets.push(*i);
                Ok(())
            }
            // The item's fields are looked up by `get` (the evaluator refuses one that is not
            // there); outside a list operation there is no item (found by fuzzing).
            ExprKind::Field(_) if !in_item => Err("a field of a list item outside a list operation".into()),
            ExprKind::Field(_) | ExprKind::Today => Ok(()),
            ExprKind::Not(e) | ExprKind::Neg(e) => sub(e),
            ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
                sub(a)?;
                sub(b)
            }
            ExprKind::In(needle, items) => {
                sub(needle)?;
                items.iter().try_for_each(sub)
            }
            ExprKind::If(condition, then, otherwise) => {
                sub(condition)?;
                sub(then)?;
                sub(otherwise)
            }
            ExprKind::Call(builtin, args) => {
                if !builtin.def().signature.takes(args.len()) {
                    return Err(format!("{builtin:?} with {} arguments", args.len()));
                }
                args.iter().try_for_each(sub)
            }
            ExprKind::List(op, list, item) => {
                if *op != ListOp::Count && item.is_none() {
                    return Err(format!("{op:?} without a value for each item"));
                }
                sub(list)?;
                let Some(item) = item else { return Ok(()) };
                reads.items += 1;
                let checked = self.expr(item, depth + 1, reads);
                reads.items -= 1;
                checked
            }
            ExprKind::Table(t, args) => {
                index(*t, program.tables.len(), "table")?;
                let table = &program.tables[*t as usize];
                if args.len() != table.keys.len() {
                    return Err(format!(
                        "table `{}` looked up with {} keys of {}",
                        table.name,
                        args.len(),
                        table.keys.len()
                    ));
                }
                args.iter().try_for_each(&mut sub)?;
                reads.tables.push(*t);
                Ok(())
            }
        }
    }

    fn name_ref(&self, name: NameRef) -> Result<(), String> {
        let program = self.program;
        match name {
            NameRef::Input(i) => index(i, program.inputs.len(), "input"),
            NameRef::Param(i) => index(i, program.params.len(), "parameter"),
            NameRef::Let(i) => index(i, program.lets.len(), "definition"),
        }
    }

    /// Checks the tables; returns, for each, the latest place in `let_order` of the definitions
    /// its rows read (through the tables they look up too).
    fn tables(&self) -> Result<Vec<Option<usize>>, String> {
        let tables = &self.program.tables;
        let mut reads: Vec<Reads> = Vec::with_capacity(tables.len());
        for table in tables {
            let at = |e: String| format!("table `{}`: {e}", table.name);
            self.span(table.span).map_err(at)?;
            self.ty(table.result).map_err(at)?;
            if table.key_types.len() != table.keys.len() {
                return Err(at(format!("{} key types for {} keys", table.key_types.len(), table.keys.len())));
            }
            table.key_types.iter().try_for_each(|ty| self.ty(*ty)).map_err(at)?;
            if table.rows.len() > MAX_TABLE_ROWS {
                return Err(at(format!("more than {MAX_TABLE_ROWS} rows")));
            }
            let mut found = Reads::default();
            for row in table.rows.iter().chain(&table.otherwise) {
                self.span(row.span).map_err(at)?;
                self.expr(&row.value, 1, &mut found).map_err(at)?;
            }
            for row in &table.rows {
                if row.cells.len() != table.keys.len() {
                    return Err(at(format!(
                        "row {} has {} cells for {} keys",
                        row.text,
                        row.cells.len(),
                        table.keys.len()
                    )));
                }
                for cell in &row.cells {
                    match cell {
                        crate::program::Match::Any => {}
                        crate::program::Match::Equal(v) => self.value(v).map_err(at)?,
                        crate::program::Match::Band { low, high, .. } => {
                            low.iter().chain(high).try_for_each(|v| self.value(v)).map_err(at)?
                        }
                    }
                }
            }
            // A lookup in a `unique` table expects one matching row at most.
            if table.hit == crate::vocabulary::HitPolicy::Unique {
                for (j, later) in table.rows.iter().enumerate() {
                    if let Some(earlier) = table.rows[..j].iter().find(|earlier| earlier.overlaps(later)) {
                        return Err(at(format!("rows {} and {} overlap", earlier.text, later.text)));
                    }
                }
            }
            reads.push(found);
        }
        // A lookup evaluates a row, which may look up another table: the lookups must end, within
        // MAX_PROGRAM_TABLE_DEPTH frames of the evaluator. Settled callees first (Kahn's algorithm).
        let mut waiting: Vec<usize> = reads.iter().map(|r| r.tables.len()).collect();
        let mut callers: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
        for (t, r) in reads.iter().enumerate() {
            for &callee in &r.tables {
                callers[callee as usize].push(t);
            }
        }
        let mut ready: Vec<usize> = (0..tables.len()).filter(|&t| waiting[t] == 0).collect();
        let (mut depth, mut lets) = (vec![0usize; tables.len()], vec![None::<usize>; tables.len()]);
        let mut settled = 0;
        while let Some(t) = ready.pop() {
            settled += 1;
            let r = &reads[t];
            let callees = r.tables.iter().map(|&c| c as usize);
            depth[t] = r.depth + callees.clone().map(|c| depth[c]).max().unwrap_or(0);
            if depth[t] > MAX_PROGRAM_TABLE_DEPTH {
                return Err(format!(
                    "table `{}` looks up tables more than {MAX_PROGRAM_TABLE_DEPTH} deep",
                    tables[t].name
                ));
            }
            let own = r.lets.iter().map(|&l| self.let_position[l as usize]);
            lets[t] = own.chain(callees.filter_map(|c| lets[c])).max();
            for &caller in &callers[t] {
                waiting[caller] -= 1;
                if waiting[caller] == 0 {
                    ready.push(caller);
                }
            }
        }
        if settled < tables.len() {
            let t = waiting.iter().position(|&w| w > 0).unwrap_or_default();
            return Err(format!("table `{}` looks itself up, through other tables or directly", tables[t].name));
        }
        Ok(lets)
    }

    /// A definition is evaluated after every definition it reads (`let_order`).
    fn definition(
        &self,
        i: usize,
        def: &crate::program::LetDef,
        lets_of_tables: &[Option<usize>],
    ) -> Result<(), String> {
        self.span(def.span)?;
        self.ty(def.ty)?;
        let mut reads = Reads::default();
        self.expr(&def.expr, 1, &mut reads)?;
        let own = self.let_position[i];
        let latest = reads
            .lets
            .iter()
            .map(|&l| self.let_position[l as usize])
            .chain(reads.tables.iter().filter_map(|&t| lets_of_tables[t as usize]))
            .max();
        match latest {
            Some(latest) if latest >= own => {
                let other = &self.program.lets[self.program.let_order[latest] as usize].name;
                Err(format!("reads `{other}`, which is not evaluated before it"))
            }
            _ => Ok(()),
        }
    }

    fn policy(&self, policy: &crate::program::PolicyDef) -> Result<(), String> {
        self.span(policy.span)?;
        let reads = &mut Reads::default();
        for condition in &policy.conditions {
            self.span(condition.span)?;
            self.expr(&condition.expr, 1, reads)?;
            condition.reads.iter().try_for_each(|r| self.name_ref(*r))?;
        }
        for output in &policy.outputs {
            self.span(output.span)?;
            self.ty(output.ty)?;
            // The report writes these as money (a waiver may be a share): found by fuzzing.
            let fits = match output.name {
                OutputName::Amount | OutputName::Fee => output.ty == Type::Money,
                OutputName::Waiver => matches!(output.ty, Type::Money | Type::Decimal),
                OutputName::Named(_) => true,
            };
            if !fits {
                return Err(format!("the output `{}` is of type {:?}", output.name.as_str(), output.ty));
            }
            if let Some(base) = &output.base {
                self.expr(base, 1, reads)?;
            }
            for exception in &output.exceptions {
                self.span(exception.span)?;
                self.expr(&exception.when, 1, reads)?;
                self.expr(&exception.value, 1, reads)?;
            }
            output.reads.iter().try_for_each(|r| self.name_ref(*r))?;
        }
        policy.excludes.iter().try_for_each(|&b| index(b, self.program.policies.len(), "policy"))
    }

    /// The excluders are the policies' `excludes` turned around, and `relation_order` settles
    /// each policy after those that exclude it.
    fn relations(&self) -> Result<(), String> {
        let policies = &self.program.policies;
        let mut excluders: Vec<Vec<u32>> = vec![Vec::new(); policies.len()];
        for (a, policy) in policies.iter().enumerate() {
            for &b in &policy.excludes {
                let by = &mut excluders[b as usize];
                if b as usize != a && by.last() != Some(&(a as u32)) {
                    by.push(a as u32);
                }
            }
        }
        if excluders != self.program.excluders {
            return Err("the policies' excluders do not match their `excludes`".into());
        }
        let position = positions(&self.program.relation_order, policies.len(), "policy")?;
        for (b, by) in excluders.iter().enumerate() {
            if let Some(&a) = by.iter().find(|&&a| position[a as usize] > position[b]) {
                return Err(format!(
                    "policy `{}` is settled before `{}`, which excludes it",
                    policies[b].id, policies[a as usize].id
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &Value) -> Result<Value, String> {
        let bytes = postcard::to_allocvec(value).map_err(|e| e.to_string())?;
        postcard::from_bytes(&bytes).map_err(|e: postcard::Error| e.to_string())
    }

    #[test]
    fn every_kind_of_value_comes_back_the_same() {
        let date = Date::from_ymd(2024, 2, 29).map(Value::Date).unwrap_or(Value::Bool(false));
        let item: Item = Arc::from(vec![Value::Int(-7), Value::text("户")]);
        let values = [
            Value::Bool(true),
            Value::Int(i64::MIN),
            Value::Dec(Decimal::new(-145_050, 2)),
            Value::Dec(Decimal::MAX),
            Value::Dec(Decimal::MIN),
            Value::Dec(-Decimal::new(0, 1)),
            date,
            Value::text("上海"),
            Value::List(Arc::from(vec![item.clone(), item])),
            Value::Unknown(Missing::one(FactKey::input(3)).union(&Missing::one(FactKey::field(1, 0, 2)))),
        ];
        for value in &values {
            assert_eq!(round_trip(value).as_ref(), Ok(value));
        }
        // -0.0 equals 0.0 but is written "-0.00" as money: its sign is kept.
        assert!(matches!(round_trip(&Value::Dec(-Decimal::new(0, 1))), Ok(Value::Dec(d)) if d.is_sign_negative()));
    }

    fn read_value(stored: &impl Serialize) -> Result<Value, postcard::Error> {
        postcard::from_bytes(&postcard::to_allocvec(stored)?)
    }

    #[test]
    fn values_that_cannot_exist_are_refused() {
        #[derive(Serialize)]
        enum Stored {
            _Bool(bool),
            _Int(i64),
            Dec(bool, u128, u32),
            Date(i32, u8, u8),
            _Text(String),
            _List(Vec<Vec<Value>>),
            Unknown(Vec<FactKey>),
        }
        for stored in [
            Stored::Dec(false, 1 << 96, 0),
            Stored::Dec(true, u128::MAX, 0),
            Stored::Dec(false, 1, 29),
            Stored::Date(2025, 2, 29),
            Stored::Date(10_000, 1, 1),
            Stored::Unknown(vec![FactKey::input(2), FactKey::input(1)]),
            Stored::Unknown(vec![FactKey::input(1), FactKey::input(1)]),
        ] {
            assert_eq!(read_value(&stored), Err(postcard::Error::SerdeDeCustom));
        }
        assert_eq!(read_value(&Stored::Dec(false, (1 << 96) - 1, 28)).map(|v| v.as_decimal().is_some()), Ok(true));
    }

    #[test]
    fn the_checksum_is_fnv1a() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
