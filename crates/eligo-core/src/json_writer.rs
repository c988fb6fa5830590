//! Compact JSON text, the same as `serde_json::to_string` writes, written faster and in UTF-16:
//! what the WebAssembly module hands to the JavaScript engine's JSON.parse. JavaScript strings are
//! UTF-16, so text in UTF-16 becomes a string in one copy (UTF-8 must be decoded: measured three
//! times slower for a report in Chinese). And a report is mostly strings (titles, labels,
//! citations): serde_json looks at each of their bytes in turn for one that needs an escape, this
//! writer at eight at a time, and widens ASCII to UTF-16 without decoding it.

use crate::json::NUMBER_TOKEN;
use serde::ser::{self, Serialize};
use std::fmt::Display;

#[derive(Debug)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(message: T) -> Error {
        Error(message.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, Error>;

/// `value` as compact JSON text in UTF-16.
pub fn to_utf16<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u16>> {
    let mut writer = Writer { out: Vec::with_capacity(8192) };
    value.serialize(&mut writer)?;
    Ok(writer.out)
}

/// `value` as compact JSON text (what `to_utf16` writes, as a Rust string).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    String::from_utf16(&to_utf16(value)?).map_err(|e| Error(e.to_string()))
}

struct Writer {
    out: Vec<u16>,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `word` may need an escape: below 0x20, `"` or `\`. (A byte
/// after one that does may be reported too; then the bytes are looked at one by one.)
fn may_need_escape(word: u64) -> bool {
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    (below_space | zero_byte(word ^ (ONES * u64::from(b'"'))) | zero_byte(word ^ (ONES * u64::from(b'\\')))) != 0
}

impl Writer {
    /// ASCII punctuation and numbers.
    fn ascii(&mut self, bytes: &[u8]) {
        self.out.extend(bytes.iter().map(|&b| u16::from(b)));
    }

    fn text(&mut self, text: &str) {
        if text.is_ascii() {
            self.ascii(text.as_bytes());
        } else {
            self.out.extend(text.encode_utf16());
        }
    }

    fn string(&mut self, text: &str) {
        let bytes = text.as_bytes();
        self.out.push(u16::from(b'"'));
        let (mut start, mut i) = (0, 0);
        while i < bytes.len() {
            if let Some(chunk) = bytes.get(i..i + 8) {
                // (`chunk` is always eight bytes; all zeros would only send it the slow way.)
                let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
                if !may_need_escape(word) {
                    i += 8;
                    continue;
                }
            }
            let byte = bytes[i];
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..0x20 => &[b'\\', b'u', b'0', b'0', HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]],
                _ => {
                    i += 1;
                    continue;
                }
            };
            // (An escape is ASCII, so `i` is at a character boundary.)
            self.text(&text[start..i]);
            self.ascii(escape);
            i += 1;
            start = i;
        }
        self.text(&text[start..]);
        self.out.push(u16::from(b'"'));
    }

    fn display(&mut self, value: impl Display) {
        self.text(&value.to_string());
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A sequence, map or struct being written: whether a comma goes before the next element.
struct Compound<'w> {
    writer: &'w mut Writer,
    first: bool,
    /// The closing bracket, and for an enum variant with content the brace around it.
    close: &'static [u8],
}

impl Compound<'_> {
    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.writer.ascii(b",");
        }
    }

    fn key(&mut self, key: &str) {
        self.comma();
        self.writer.string(key);
        self.writer.ascii(b":");
    }

    fn end(self) -> Result {
        self.writer.ascii(self.close);
        Ok(())
    }
}

/// Methods of the writer for narrower numbers: written as the widest of their kind.
macro_rules! widen {
    ($($method:ident($ty:ty) => $wide:ident),*) => {$(
        fn $method(self, v: $ty) -> Result {
            self.$wide(v.into())
        }
    )*};
}

impl<'w> ser::Serializer for &'w mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w>;
    type SerializeTuple = Compound<'w>;
    type SerializeTupleStruct = Compound<'w>;
    type SerializeTupleVariant = Compound<'w>;
    type SerializeMap = Compound<'w>;
    type SerializeStruct = Compound<'w>;
    type SerializeStructVariant = Compound<'w>;

    fn serialize_bool(self, v: bool) -> Result {
        self.ascii(if v { b"true" } else { b"false" });
        Ok(())
    }
    widen! {
        serialize_i8(i8) => serialize_i64, serialize_i16(i16) => serialize_i64, serialize_i32(i32) => serialize_i64,
        serialize_u8(u8) => serialize_u64, serialize_u16(u16) => serialize_u64, serialize_u32(u32) => serialize_u64,
        serialize_f32(f32) => serialize_f64
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.display(v);
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.display(v);
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result {
        // As serde_json writes it (shortest form; null for NaN and infinities). Reports hold no
        // floats (money is text): this is for completeness.
        let text = serde_json::to_string(&v).map_err(|e| Error(e.to_string()))?;
        self.text(&text);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for byte in v {
            seq.serialize_element(byte)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.ascii(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.ascii(b"{");
        self.string(variant);
        self.ascii(b":");
        value.serialize(&mut *self)?;
        self.ascii(b"}");
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w>> {
        self.ascii(b"[");
        Ok(Compound { writer: self, first: true, close: b"]" })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'w>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w>> {
        self.ascii(b"{");
        self.string(variant);
        self.ascii(b":[");
        Ok(Compound { writer: self, first: true, close: b"]}" })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w>> {
        self.ascii(b"{");
        Ok(Compound { writer: self, first: true, close: b"}" })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'w>> {
        // A serde_json number: its one field is its text, written as it is (`serialize_field`).
        if name == NUMBER_TOKEN {
            return Ok(Compound { writer: self, first: true, close: b"" });
        }
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w>> {
        self.ascii(b"{");
        self.string(variant);
        self.ascii(b":{");
        Ok(Compound { writer: self, first: true, close: b"}}" })
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.comma();
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result {
        Compound::end(self)
    }
}

/// Tuples of every kind are written as sequences.
macro_rules! as_sequence {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                ser::SerializeSeq::serialize_element(self, value)
            }
            fn end(self) -> Result {
                Compound::end(self)
            }
        }
    )*};
}

as_sequence!(
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.comma();
        key.serialize(KeyWriter(&mut *self.writer, Text::Key))?;
        self.writer.ascii(b":");
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        if key == NUMBER_TOKEN {
            return value.serialize(KeyWriter(&mut *self.writer, Text::Number));
        }
        self.key(key);
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result {
        Compound::end(self)
    }
}

/// A map key: JSON keys are strings (serde_json also quotes numbers; no report has them). Or the
/// text of a serde_json number, written without quotes.
struct KeyWriter<'w>(&'w mut Writer, Text);

#[derive(Clone, Copy, PartialEq)]
enum Text {
    Key,
    Number,
}

/// Methods of `KeyWriter` for values that cannot be keys.
macro_rules! refuse {
    ($($method:ident($ty:ty)),*) => {$(
        fn $method(self, _: $ty) -> Result {
            Err(key_must_be_a_string())
        }
    )*};
}

fn key_must_be_a_string() -> Error {
    Error("a map key must be a string".into())
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result {
        match self.1 {
            Text::Key => self.0.string(v),
            Text::Number => self.0.text(v),
        }
        Ok(())
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    refuse! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64), serialize_f32(f32),
        serialize_f64(f64), serialize_char(char), serialize_bytes(&[u8]), serialize_unit_struct(&'static str)
    }
    fn serialize_none(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = vec![
            String::new(),
            "plain ascii text longer than eight bytes".into(),
            "引号\"和\\反斜杠，换行\n回车\r制表\t退格\u{8}换页\u{c}".into(),
            "\u{0}\u{1f}\u{7f}\u{80}\u{2028}😀".into(),
        ];
        // Every byte value that needs an escape, at every offset within a word of eight.
        for special in (0u8..0x20).chain([b'"', b'\\']) {
            for offset in 0..17 {
                texts.push(format!("{}{}tail", "x".repeat(offset), special as char));
            }
        }
        for text in &texts {
            assert_eq!(to_string(text).ok(), serde_json::to_string(text).ok(), "{text:?}");
        }
    }

    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        let value = serde_json::json!({
            "a": [1, -2, 3.5, true, false, null, "x"],
            "b": { "nested": { "deep": [[], {}] } },
            "c": u64::MAX,
            "d": i64::MIN,
        });
        assert_eq!(to_string(&value).ok(), serde_json::to_string(&value).ok());
        // Numbers read from data, kept digit for digit (serde_json's `arbitrary_precision`).
        let read: serde_json::Value = serde_json::from_str(r#"[1e16, -0, 0.10000000000000000000000000001]"#).unwrap();
        assert_eq!(to_string(&read).ok(), Some("[1e+16,-0,0.10000000000000000000000000001]".to_string()));
        #[derive(serde::Serialize)]
        #[serde(tag = "kind", rename_all = "camelCase")]
        enum Tagged {
            InvalidDate { message: String },
        }
        #[derive(serde::Serialize)]
        enum Plain {
            Unit,
            Newtype(u8),
            Tuple(u8, u8),
            Struct { x: u8 },
        }
        let tagged = Tagged::InvalidDate { message: "m".into() };
        assert_eq!(to_string(&tagged).ok(), serde_json::to_string(&tagged).ok());
        let plain = [Plain::Unit, Plain::Newtype(1), Plain::Tuple(1, 2), Plain::Struct { x: 3 }];
        assert_eq!(to_string(&plain).ok(), serde_json::to_string(&plain).ok());
        assert!(to_string(&std::collections::BTreeMap::from([(1, 2)])).is_err());
    }
}
