//! Every name written in the parsed files, with what it denotes: the declarations, and each use
//! resolved as the checker resolves it (inside a list operation the item's fields come first).

use super::Location;
use crate::ast::{self, DataValue, ExprKind, Item, TypeExpr};
use crate::check::expr::LIST_OPERATIONS;
use eligo_core::source::Span;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What a name denotes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// An input, parameter, definition or table: they share one namespace.
    Value(String),
    Record(String),
    Field {
        record: String,
        field: String,
    },
    /// A policy or a group.
    Policy(String),
    /// A built-in function or a list operation.
    Builtin(String),
}

impl Key {
    pub fn name(&self) -> &str {
        match self {
            Key::Value(name) | Key::Record(name) | Key::Policy(name) | Key::Builtin(name) => name,
            Key::Field { field, .. } => field,
        }
    }
}

pub(super) struct Occurrence {
    pub key: Key,
    pub span: Span,
}

/// Where a name is declared: its name's span, and the item (and field of a record) declaring it.
pub(super) struct Declaration {
    pub name: Span,
    pub file: usize,
    pub item: usize,
    pub field: Option<usize>,
}

pub(super) struct Index {
    /// In the order of the files and of the text.
    pub occurrences: Vec<Occurrence>,
    declarations: BTreeMap<Key, Declaration>,
    /// The argument over the items of each list operation, with the record of its items: their
    /// fields are in scope there.
    pub item_scopes: Vec<(Span, String)>,
}

/// How deep definitions of lists (`let 老人 = filter(household, …)`) are followed to find the
/// record of their items: they cannot be deeper than the checker's cycle-free order allows, and
/// a cycle (an error) must not loop.
const MAX_LIST_DEFINITIONS: usize = 16;

impl Index {
    pub fn new(files: &[ast::File]) -> Index {
        let mut index = Index { occurrences: Vec::new(), declarations: BTreeMap::new(), item_scopes: Vec::new() };
        for (file, parsed) in files.iter().enumerate() {
            for (item, decl) in parsed.items.iter().enumerate() {
                for (key, name, field) in declared(decl) {
                    index.declarations.entry(key.clone()).or_insert(Declaration { name, file, item, field });
                    index.occurrences.push(Occurrence { key, span: name });
                }
            }
        }
        let lists = Lists::new(files);
        for parsed in files {
            for item in &parsed.items {
                index.uses(item, &lists);
            }
        }
        index.occurrences.sort_by_key(|o| (o.span.file, o.span.start));
        index
    }

    /// The name written at `offset` (its end included, where a cursor after a word stands).
    pub fn at(&self, file: u32, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.file == file && (o.span.start as usize) <= offset && offset <= o.span.end as usize)
    }

    pub fn declaration(&self, key: &Key) -> Option<&Declaration> {
        self.declarations.get(key)
    }

    pub fn declarations(&self) -> impl Iterator<Item = (&Key, &Declaration)> {
        self.declarations.iter()
    }

    pub fn occurrences<'i>(&'i self, key: &'i Key) -> impl Iterator<Item = &'i Occurrence> + 'i {
        self.occurrences.iter().filter(move |o| &o.key == key)
    }

    fn uses(&mut self, item: &Item, lists: &Lists) {
        let mut walker = Walker { index: self, lists };
        match item {
            Item::Ruleset(_) => {}
            Item::Record(decl) => decl.fields.iter().for_each(|field| walker.ty(&field.ty)),
            Item::Input(decl) => walker.ty(&decl.ty),
            Item::Param(decl) => walker.ty(&decl.ty),
            Item::Let(decl) => {
                if let Some(ty) = &decl.ty {
                    walker.ty(ty);
                }
                walker.expr(&decl.value, None);
            }
            Item::Table(decl) => {
                walker.ty(&decl.result);
                decl.rows.iter().for_each(|row| walker.expr(&row.value, None));
            }
            Item::Policy(decl) => {
                decl.conditions.iter().for_each(|c| walker.expr(&c.expr, None));
                decl.outputs.iter().for_each(|o| walker.expr(&o.value, None));
                for exception in &decl.exceptions {
                    walker.expr(&exception.when, None);
                    walker.expr(&exception.value, None);
                }
                decl.excludes.iter().for_each(|p| walker.add(Key::Policy(p.name.clone()), p.span));
            }
            Item::Group(decl) => decl.members.iter().for_each(|p| walker.add(Key::Policy(p.name.clone()), p.span)),
            Item::Example(decl) => walker.example(decl),
        }
    }
}

/// The names a declaration declares, with their spans (a record: itself and its fields).
fn declared(item: &Item) -> Vec<(Key, Span, Option<usize>)> {
    match item {
        Item::Ruleset(_) | Item::Example(_) => Vec::new(),
        Item::Record(decl) => std::iter::once((Key::Record(decl.name.name.clone()), decl.name.span, None))
            .chain(decl.fields.iter().enumerate().map(|(i, field)| {
                let key = Key::Field { record: decl.name.name.clone(), field: field.name.name.clone() };
                (key, field.name.span, Some(i))
            }))
            .collect(),
        Item::Input(decl) => vec![(Key::Value(decl.name.name.clone()), decl.name.span, None)],
        Item::Param(decl) => vec![(Key::Value(decl.name.name.clone()), decl.name.span, None)],
        Item::Let(decl) => vec![(Key::Value(decl.name.name.clone()), decl.name.span, None)],
        Item::Table(decl) => vec![(Key::Value(decl.name.name.clone()), decl.name.span, None)],
        Item::Policy(decl) => vec![(Key::Policy(decl.name.name.clone()), decl.name.span, None)],
        Item::Group(decl) => vec![(Key::Policy(decl.name.name.clone()), decl.name.span, None)],
    }
}

/// What is needed to find the record of a list's items: the inputs declared as lists, the
/// definitions, and the fields of each record.
struct Lists<'f> {
    inputs: BTreeMap<&'f str, &'f str>,
    lets: BTreeMap<&'f str, &'f ast::Expr>,
    fields: BTreeSet<(&'f str, &'f str)>,
}

impl<'f> Lists<'f> {
    fn new(files: &'f [ast::File]) -> Lists<'f> {
        let mut lists = Lists { inputs: BTreeMap::new(), lets: BTreeMap::new(), fields: BTreeSet::new() };
        for item in files.iter().flat_map(|f| &f.items) {
            match item {
                Item::Input(decl) => {
                    if let TypeExpr::ListOf(record, _) = &decl.ty {
                        lists.inputs.entry(&decl.name.name).or_insert(&record.name);
                    }
                }
                Item::Let(decl) => {
                    lists.lets.entry(&decl.name.name).or_insert(&decl.value);
                }
                Item::Record(decl) => {
                    for field in &decl.fields {
                        lists.fields.insert((&decl.name.name, &field.name.name));
                    }
                }
                _ => {}
            }
        }
        lists
    }

    fn is_field(&self, scope: Option<&str>, name: &str) -> bool {
        scope.is_some_and(|record| self.fields.contains(&(record, name)))
    }

    /// The record of the items of a list-valued expression, as the checker's `list_record`.
    fn record(&self, expr: &ast::Expr, scope: Option<&str>) -> Option<&'f str> {
        let mut expr = expr;
        for _ in 0..MAX_LIST_DEFINITIONS {
            match &expr.kind {
                ExprKind::Name(name) if !self.is_field(scope, name) => {
                    if let Some(record) = self.inputs.get(name.as_str()) {
                        return Some(record);
                    }
                    expr = self.lets.get(name.as_str())?;
                }
                ExprKind::Call(function, args) if function.name == "filter" => expr = args.first()?,
                _ => return None,
            }
        }
        None
    }
}

struct Walker<'i, 'f> {
    index: &'i mut Index,
    lists: &'i Lists<'f>,
}

impl Walker<'_, '_> {
    fn add(&mut self, key: Key, span: Span) {
        self.index.occurrences.push(Occurrence { key, span });
    }

    fn ty(&mut self, ty: &TypeExpr) {
        if let TypeExpr::Named(record) | TypeExpr::ListOf(record, _) = ty {
            let key = Key::Record(record.name.clone());
            if self.index.declarations.contains_key(&key) {
                self.add(key, record.span);
            }
        }
    }

    fn expr(&mut self, expr: &ast::Expr, scope: Option<&str>) {
        match &expr.kind {
            ExprKind::Literal(_) | ExprKind::Today => {}
            ExprKind::Name(name) => {
                let key = match scope.filter(|_| self.lists.is_field(scope, name)) {
                    Some(record) => Key::Field { record: record.into(), field: name.clone() },
                    None => Key::Value(name.clone()),
                };
                self.add(key, expr.span);
            }
            ExprKind::Unary(_, operand) => self.expr(operand, scope),
            ExprKind::Binary(_, lhs, rhs) => {
                self.expr(lhs, scope);
                self.expr(rhs, scope);
            }
            ExprKind::If(condition, then, otherwise) => {
                self.expr(condition, scope);
                self.expr(then, scope);
                self.expr(otherwise, scope);
            }
            ExprKind::List(items) => items.iter().for_each(|item| self.expr(item, scope)),
            ExprKind::Call(function, args) => self.call(function, args, scope),
        }
    }

    fn call(&mut self, function: &ast::Ident, args: &[ast::Expr], scope: Option<&str>) {
        let name = function.name.as_str();
        let list_op = LIST_OPERATIONS.iter().any(|(op, _)| *op == name)
            || (matches!(name, "min" | "max") && args.first().is_some_and(|a| self.lists.record(a, scope).is_some()));
        let key = if list_op || eligo_core::builtins::by_name(name).is_some() {
            Key::Builtin(function.name.clone())
        } else {
            Key::Value(function.name.clone())
        };
        self.add(key, function.span);
        let record = if list_op { args.first().and_then(|list| self.lists.record(list, scope)) } else { None };
        for (i, arg) in args.iter().enumerate() {
            match record.filter(|_| i == 1) {
                Some(record) => {
                    self.index.item_scopes.push((arg.span, record.to_string()));
                    self.expr(arg, Some(record));
                }
                None => self.expr(arg, scope),
            }
        }
    }

    fn example(&mut self, example: &ast::ExampleDecl) {
        for binding in &example.given {
            self.add(Key::Value(binding.name.name.clone()), binding.name.span);
            let record = self.lists.inputs.get(binding.name.name.as_str()).copied();
            if let (DataValue::List(items, _), Some(record)) = (&binding.value, record) {
                for fields in items.iter().filter_map(|item| match item {
                    DataValue::Record(fields, _) => Some(fields),
                    _ => None,
                }) {
                    for field in fields {
                        let key = Key::Field { record: record.into(), field: field.name.name.clone() };
                        self.add(key, field.name.span);
                    }
                }
            }
        }
        for expectation in &example.expects {
            self.add(Key::Policy(expectation.policy.name.clone()), expectation.policy.span);
            for check in &expectation.checks {
                let ast::Check::Missing(paths, _) = check else { continue };
                for path in paths {
                    self.add(Key::Value(path.input.name.clone()), path.input.span);
                    let record = self.lists.inputs.get(path.input.name.as_str()).copied();
                    if let (Some((_, field)), Some(record)) = (&path.item, record) {
                        self.add(Key::Field { record: record.into(), field: field.name.clone() }, field.span);
                    }
                }
            }
        }
    }
}

/// A declaration in the outline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolKind {
    Ruleset,
    Record,
    Input,
    Param,
    Let,
    Table,
    Policy,
    Group,
    Example,
}

/// An entry of a file's outline: the whole declaration and its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    pub location: Location,
    /// The name (an example's whole text: it has no name of its own to select).
    pub selection: Location,
}

pub(super) fn symbols(file: Option<&ast::File>, locate: impl Fn(Span) -> Location) -> Vec<Symbol> {
    let Some(file) = file else { return Vec::new() };
    let named = |kind, name: &ast::Ident, span| Symbol {
        name: name.name.clone(),
        kind,
        location: locate(span),
        selection: locate(name.span),
    };
    file.items
        .iter()
        .map(|item| match item {
            Item::Ruleset(d) => named(SymbolKind::Ruleset, &d.name, d.span),
            Item::Record(d) => named(SymbolKind::Record, &d.name, d.span),
            Item::Input(d) => named(SymbolKind::Input, &d.name, d.span),
            Item::Param(d) => named(SymbolKind::Param, &d.name, d.span),
            Item::Let(d) => named(SymbolKind::Let, &d.name, d.span),
            Item::Table(d) => named(SymbolKind::Table, &d.name, d.span),
            Item::Policy(d) => named(SymbolKind::Policy, &d.name, d.span),
            Item::Group(d) => named(SymbolKind::Group, &d.name, d.span),
            Item::Example(d) => Symbol {
                name: d.name.clone(),
                kind: SymbolKind::Example,
                location: locate(d.span),
                selection: locate(d.span),
            },
        })
        .collect()
}
