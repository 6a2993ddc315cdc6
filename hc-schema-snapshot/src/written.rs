//! THE reading of a Rust type as a user writes it (a typed declaration's
//! `#[hc_requires(account(annualrevenue: f64))]`, an `hc_query!` alias's `AS "x: Type"`): one
//! normalisation to the type table's canonical spelling, then one judgement by the table
//! ([`crate::types`]), so that every spelling of a type is judged as that type.
//!
//! Normalised: whitespace; a leading `::`; `std::`/`core::`/`alloc::` paths of the prelude
//! and primitive types (`std::primitive::i64`, `::std::string::String`,
//! `core::option::Option`); turbofish (`Option::<i32>`); lifetimes (`&'a str`); the full and
//! short paths of the crates the table names (`chrono::DateTime<chrono::Utc>`,
//! `DateTime<Utc>`, `chrono::naive::NaiveDate`, `rust_decimal::prelude::Decimal`,
//! `serde_json::value::Value`). `Option<T>` (nested or not) is judged as `T`: a declaration
//! states the type, not the nullability. Borrowed and boxed forms the `postgres` crate reads
//! (`&str`, `Box<str>`, `Box<[T]>`) are judged as their owned type; `Vec<Option<T>>` as
//! `Vec<T>`.
//!
//! Beside the table, the types the `postgres` crate reads only from Postgres types outside it
//! are known too (`uuid::Uuid` reads `uuid`, `u32` `oid`, `i8` `"char"`, `Vec<u8>`/`&[u8]`
//! `bytea`, `std::net::IpAddr` `inet`), as are the ones it reads from nothing (`u64`,
//! `char`...). Any other type is unknown: an error, unless `[types] custom` in
//! hc-schema.toml lists it (a type of the user's with its own `FromSql`, unchecked, reported
//! as a note).
//!
//! ```
//! use hc_schema_snapshot::written::{judge, Judged};
//! assert_eq!(judge("Option<::std::primitive::f64>", "double precision", &[]), Judged::Reads);
//! assert_eq!(judge("DateTime<Utc>", "timestamp without time zone", &[]), Judged::DoesNotRead);
//! assert!(matches!(judge("my::Money", "double precision", &[]), Judged::Unknown { .. }));
//! assert_eq!(judge("my::Money", "double precision", &["my::Money".into()]),
//!            Judged::Custom("my::Money".into()));
//! ```

use crate::types::{PgType, RustScalar, RustType};

/// A Rust type parsed from its written text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ty {
    /// A path: its segments (name, generic arguments); lifetimes dropped.
    Path(Vec<(String, Vec<Ty>)>),
    /// `&T` (`&'a T`, `&mut T`).
    Ref(Box<Ty>),
    /// `[T]`.
    Slice(Box<Ty>),
}

/// What a written type is, once normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classified {
    /// A type of the table (or one the `postgres` crate reads exactly as a type of the table:
    /// `&str` as `String`, `chrono::DateTime<chrono::FixedOffset>` as
    /// `chrono::DateTime<chrono::Utc>`).
    Table(RustType),
    /// A type the `postgres` crate reads only from these Postgres types, all outside the
    /// table (as [`plain_spelling`] gives them; empty: from none).
    Outside(Vec<String>),
    /// Listed under `[types] custom`: the user's own `FromSql` type, not checked.
    Custom,
    /// Neither: the reason (what the spelling could mean, what to write).
    Unknown(String),
}

/// A written type, normalised and classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalised {
    /// The canonical spelling of the type without its `Option`s (`chrono::DateTime<chrono::Utc>`,
    /// `Vec<String>`, `i64`).
    pub canonical: String,
    /// What it is.
    pub class: Classified,
}

/// How a written type judges a column type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    /// The `postgres` crate reads the column into the type.
    Reads,
    /// It does not (`WrongType` at run time).
    DoesNotRead,
    /// A type listed under `[types] custom` (canonical spelling): not checked.
    Custom(String),
    /// A type hc-schema does not know: the canonical spelling and why.
    Unknown {
        /// The spelling, normalised.
        canonical: String,
        /// What it could mean, what to write.
        why: String,
    },
    /// Not a type (`Option<>`): the message.
    Malformed(String),
}

/// Normalise and classify `written` (with the `[types] custom` list `custom`); `Err` with
/// the message when it is not a type (`Option<>`, `Vec<String`, `f64 x`).
///
/// ```
/// use hc_schema_snapshot::written::{normalise, Classified};
/// use hc_schema_snapshot::types::{RustScalar, RustType};
/// let n = normalise("std :: option :: Option :: < :: chrono :: DateTime < Utc > >", &[]).unwrap();
/// assert_eq!(n.canonical, "chrono::DateTime<chrono::Utc>");
/// assert_eq!(n.class, Classified::Table(RustType::Scalar(RustScalar::ChronoUtc)));
/// assert!(normalise("Option<>", &[]).is_err());
/// ```
pub fn normalise(written: &str, custom: &[String]) -> Result<Normalised, String> {
    let ty = parse(written)?;
    let inner = strip_options(ty)?;
    let spelled = canonical(&inner);
    // A listed type matches the path as written (whitespace, a leading `::` and `Option`
    // aside), never through the short names the table expands: `custom = ["Value"]` is the
    // user's own `Value`, and `serde_json::Value` stays serde_json's.
    let as_written = written_inner(written);
    for listed in custom {
        if written_inner(listed) == as_written {
            return Ok(Normalised {
                canonical: spelled,
                class: Classified::Custom,
            });
        }
    }
    let class = classify(&inner);
    Ok(Normalised {
        canonical: spelled,
        class,
    })
}

/// `written` without whitespace, a leading `&` or `::` and the `Option<...>` around it (any
/// path of `Option`): the spelling a `[types] custom` entry is compared with.
fn written_inner(written: &str) -> String {
    let mut text = compact(written);
    loop {
        // A reference to a listed type is that type (as `&str` is read like `String`).
        let trimmed = text.trim_start_matches('&').trim_start_matches("::");
        let inner = ["std::option::Option", "core::option::Option", "Option"]
            .iter()
            .find_map(|prefix| {
                let rest = trimmed.strip_prefix(prefix)?;
                let rest = rest.strip_prefix("::").unwrap_or(rest);
                rest.strip_prefix('<')?.strip_suffix('>')
            });
        match inner {
            Some(inner) => text = inner.to_string(),
            None => return trimmed.to_string(),
        }
    }
}

/// THE words of a Rust type hc-schema does not know (the build, `check` and `hc_query!`'s
/// alias types say the same): the notes (what an ambiguous spelling could mean) and the
/// fixes, given `readers` (the table's types that read the column in every environment, as
/// users write them; empty when unknown).
pub fn unknown_type_advice(
    canonical: &str,
    why: &str,
    readers: &[String],
) -> (Vec<String>, Vec<String>) {
    let notes = if why.is_empty() {
        Vec::new()
    } else {
        vec![why.to_string()]
    };
    let write = if readers.is_empty() {
        "write a Rust type of hc-schema's type table (bool, i32, i64, f64, String, \
         chrono::NaiveDate, time::OffsetDateTime, Vec<String>...; any path spelling of them \
         and Option<...> are understood)"
            .to_string()
    } else {
        let list: Vec<String> = readers.iter().map(|r| format!("`{r}`")).collect();
        format!("write the type that reads it: {}", list.join(" or "))
    };
    let helps = vec![
        write,
        format!(
            "if `{canonical}` is your own type implementing postgres::types::FromSql, list it \
             under [types] in hc-schema.toml: `custom = [\"{canonical}\"]` (hc-schema then \
             leaves it unchecked and reports each use as a note)"
        ),
    ];
    (notes, helps)
}

/// Whether the Rust type `written` reads a column that a snapshot spells `spelling`
/// (`Option<T>` judged as `T`), with `custom` the `[types] custom` list: THE rule of typed
/// declarations and of `hc_query!`'s `AS "x: Type"`.
pub fn judge(written: &str, spelling: &str, custom: &[String]) -> Judged {
    let normalised = match normalise(written, custom) {
        Ok(normalised) => normalised,
        Err(message) => return Judged::Malformed(message),
    };
    match normalised.class {
        Classified::Custom => Judged::Custom(normalised.canonical),
        Classified::Unknown(why) => Judged::Unknown {
            canonical: normalised.canonical,
            why,
        },
        Classified::Table(rust) => match PgType::parse(spelling) {
            Some(pg) if rust.accepts(pg) => Judged::Reads,
            _ => Judged::DoesNotRead,
        },
        Classified::Outside(reads) => {
            if PgType::parse(spelling).is_none() && reads.contains(&plain_spelling(spelling)) {
                Judged::Reads
            } else {
                Judged::DoesNotRead
            }
        }
    }
}

/// The table's Rust type that `written` is (its `Option`s removed), when it is one: what the
/// rules comparing table types alone use ([`crate::types::written_reads`]).
pub fn table_type(written: &str) -> Option<RustType> {
    match normalise(written, &[]).ok()?.class {
        Classified::Table(rust) => Some(rust),
        _ => None,
    }
}

/// A Postgres type spelling without its length or precision, lower case, one space between
/// words (`character varying`, `uuid`, `"char"`, `uuid[]`).
pub fn plain_spelling(spelling: &str) -> String {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in spelling.trim().to_ascii_lowercase().chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let plain = plain
        .strip_prefix("pg_catalog.")
        .unwrap_or(&plain)
        .to_string();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text without whitespace.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `text` as a message shows a type: whitespace kept (as one space) only between two words
/// (`&dyn ToString`, not `&dynToString`; `Option<f64>`, not `Option < f64 >`).
fn shown(text: &str) -> String {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && word(c) && out.chars().last().is_some_and(word) {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

// ----- parsing -----

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Lifetime,
    Punct(&'static str),
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Lifetime);
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            // `r#type`
            if word == "r" && chars.get(i) == Some(&'#') {
                i += 1;
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                word = chars[start..i].iter().collect();
            }
            out.push(Token::Ident(word));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Token::Punct("::"));
            i += 2;
        } else {
            let punct = match c {
                '<' => "<",
                '>' => ">",
                ',' => ",",
                '&' => "&",
                '[' => "[",
                ']' => "]",
                _ => return Err(format!("`{c}` cannot appear in a type path here")),
            };
            out.push(Token::Punct(punct));
            i += 1;
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

/// Parse `written` as a Rust type (a path with generic arguments, `&T`, `[T]`).
fn parse(written: &str) -> Result<Ty, String> {
    let mut parser = Parser {
        tokens: tokens(written)?,
        at: 0,
        depth: 0,
    };
    let ty = parser
        .ty()
        .map_err(|why| format!("`{}` is not a Rust type: {why}", shown(written)))?;
    if parser.at != parser.tokens.len() {
        return Err(format!(
            "`{}` is not a Rust type: unexpected text after `{}`",
            shown(written),
            canonical(&ty)
        ));
    }
    Ok(ty)
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Some(Token::Punct(p)) if *p == punct) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn ty(&mut self) -> Result<Ty, String> {
        self.depth += 1;
        if self.depth > 32 {
            return Err("nested too deeply".to_string());
        }
        let ty = if self.eat("&") {
            while matches!(self.peek(), Some(Token::Lifetime)) {
                self.at += 1;
            }
            if matches!(self.peek(), Some(Token::Ident(w)) if w == "mut") {
                self.at += 1;
            }
            Ty::Ref(Box::new(self.ty()?))
        } else if self.eat("[") {
            let inner = self.ty()?;
            if !self.eat("]") {
                return Err("`[` without its `]`".to_string());
            }
            Ty::Slice(Box::new(inner))
        } else {
            self.path()?
        };
        self.depth -= 1;
        Ok(ty)
    }

    fn path(&mut self) -> Result<Ty, String> {
        self.eat("::");
        let mut segments = Vec::new();
        loop {
            let name = match self.peek() {
                Some(Token::Ident(name)) => name.clone(),
                Some(Token::Punct(p)) => return Err(format!("expected a name, found `{p}`")),
                Some(Token::Lifetime) => return Err("expected a name, found a lifetime".into()),
                None => return Err("expected a name at the end".to_string()),
            };
            self.at += 1;
            let mut args = Vec::new();
            // `Option<T>` and turbofish `Option::<T>`.
            let turbofish = matches!(
                (self.peek(), self.tokens.get(self.at + 1)),
                (Some(Token::Punct("::")), Some(Token::Punct("<")))
            );
            if turbofish {
                self.at += 1;
            }
            if self.eat("<") {
                loop {
                    if self.eat(">") {
                        break;
                    }
                    if matches!(self.peek(), Some(Token::Lifetime)) {
                        self.at += 1;
                    } else {
                        args.push(self.ty()?);
                    }
                    if self.eat(">") {
                        break;
                    }
                    if !self.eat(",") {
                        return Err(format!("expected `,` or `>` in the arguments of `{name}`"));
                    }
                }
                if args.is_empty() {
                    return Err(format!("`{name}<>` names no type inside `<>`"));
                }
            }
            segments.push((name, args));
            if !self.eat("::") {
                break;
            }
        }
        Ok(Ty::Path(segments))
    }
}

// ----- normalisation -----

/// `T` of `Option<T>`, repeatedly (`Option<Option<i32>>` is read as `i32`).
fn strip_options(ty: Ty) -> Result<Ty, String> {
    let mut ty = normalise_paths(ty);
    loop {
        match &ty {
            Ty::Path(segments) if segments.len() == 1 && segments[0].0 == "Option" => {
                let args = &segments[0].1;
                if args.len() != 1 {
                    return Err(format!(
                        "`Option` takes one type, not {}: write `Option<T>`",
                        args.len()
                    ));
                }
                ty = args[0].clone();
            }
            _ => return Ok(ty),
        }
    }
}

/// The canonical path of every path in `ty` ([`canonical_path`]), arguments too.
fn normalise_paths(ty: Ty) -> Ty {
    match ty {
        Ty::Ref(inner) => Ty::Ref(Box::new(normalise_paths(*inner))),
        Ty::Slice(inner) => Ty::Slice(Box::new(normalise_paths(*inner))),
        Ty::Path(segments) => {
            let names: Vec<&str> = segments.iter().map(|(n, _)| n.as_str()).collect();
            // Generic arguments are the last segment's (a turbofish on an earlier one, as in
            // `Vec::<i32>::new`, is not a type).
            let args: Vec<Ty> = segments
                .iter()
                .flat_map(|(_, args)| args.clone())
                .map(normalise_paths)
                .collect();
            let mut path = canonical_path(&names);
            // `DateTime<Utc>`: chrono's, by its time zone argument.
            if path == "DateTime"
                && matches!(args.as_slice(), [tz] if path_of(tz).is_some_and(|(p, a)| a.is_empty()
                    && matches!(p.as_str(), "chrono::Utc" | "chrono::Local" | "chrono::FixedOffset")))
            {
                path = "chrono::DateTime".to_string();
            }
            let mut out: Vec<(String, Vec<Ty>)> = path
                .split("::")
                .map(|s| (s.to_string(), Vec::new()))
                .collect();
            if let Some(last) = out.last_mut() {
                last.1 = args;
            }
            Ty::Path(out)
        }
    }
}

/// The canonical path of a written path (`std::primitive::i64` → `i64`,
/// `::std::string::String` → `String`, `NaiveDate` → `chrono::NaiveDate`); other paths as
/// written.
fn canonical_path(names: &[&str]) -> String {
    let joined = names.join("::");
    let std_root = |n: &str| matches!(n, "std" | "core" | "alloc");
    let mapped: Option<&str> = match names {
        [root, "primitive", prim] if std_root(root) => Some(prim),
        [root, "option", "Option"] if std_root(root) => Some("Option"),
        [root, "string", "String"] if std_root(root) => Some("String"),
        [root, "vec", "Vec"] if std_root(root) => Some("Vec"),
        [root, "boxed", "Box"] if std_root(root) => Some("Box"),
        [root, "time", "SystemTime"] if std_root(root) => Some("std::time::SystemTime"),
        ["SystemTime"] => Some("std::time::SystemTime"),
        [root, "net", "IpAddr"] if std_root(root) => Some("std::net::IpAddr"),
        ["IpAddr"] => Some("std::net::IpAddr"),
        ["chrono", "naive" | "offset", name] => return format!("chrono::{name}"),
        ["chrono", "naive", "date" | "time" | "datetime", name] => {
            return format!("chrono::{name}")
        }
        [name @ ("NaiveDate" | "NaiveTime" | "NaiveDateTime" | "Utc" | "Local" | "FixedOffset")] => {
            return format!("chrono::{name}")
        }
        [name @ ("PrimitiveDateTime" | "OffsetDateTime")] => return format!("time::{name}"),
        ["rust_decimal", "prelude" | "decimal", "Decimal"] | ["Decimal"] => {
            Some("rust_decimal::Decimal")
        }
        ["serde_json", "value", "Value"] | ["Value"] => Some("serde_json::Value"),
        ["jiff", "civil", name] => return format!("jiff::civil::{name}"),
        ["jiff", "timestamp", "Timestamp"] | ["Timestamp"] => Some("jiff::Timestamp"),
        ["Uuid"] => Some("uuid::Uuid"),
        ["postgres" | "tokio_postgres", "types", "Json"]
        | ["postgres_types", "Json"]
        | ["Json"] => Some("postgres::types::Json"),
        _ => None,
    };
    mapped.map_or(joined, str::to_string)
}

/// The canonical spelling of a normalised type.
fn canonical(ty: &Ty) -> String {
    match ty {
        Ty::Ref(inner) => format!("&{}", canonical(inner)),
        Ty::Slice(inner) => format!("[{}]", canonical(inner)),
        Ty::Path(segments) => segments
            .iter()
            .map(|(name, args)| {
                if args.is_empty() {
                    name.clone()
                } else {
                    let args: Vec<String> = args.iter().map(canonical).collect();
                    format!("{name}<{}>", args.join(","))
                }
            })
            .collect::<Vec<_>>()
            .join("::"),
    }
}

/// The path of a normalised path type, and its (last segment's) arguments.
fn path_of(ty: &Ty) -> Option<(String, &[Ty])> {
    match ty {
        Ty::Path(segments) => {
            let names: Vec<&str> = segments.iter().map(|(n, _)| n.as_str()).collect();
            Some((names.join("::"), &segments.last()?.1))
        }
        _ => None,
    }
}

/// The table's scalar whose canonical spelling is `path` (with `args`).
fn table_scalar(path: &str, args: &[Ty]) -> Option<RustScalar> {
    if path == "chrono::DateTime" {
        // `DateTime<Utc>`, `DateTime<Local>`, `DateTime<FixedOffset>`: the postgres crate
        // reads each from `timestamptz` exactly as `DateTime<Utc>`.
        let tz = match args {
            [tz] => path_of(tz).map(|(p, _)| p),
            _ => None,
        };
        return matches!(
            tz.as_deref(),
            Some("chrono::Utc" | "chrono::Local" | "chrono::FixedOffset")
        )
        .then_some(RustScalar::ChronoUtc);
    }
    if !args.is_empty() {
        return None;
    }
    RustScalar::ALL.into_iter().find(|r| {
        let own = r.path().trim_start_matches("::");
        let own = own.strip_prefix("std::string::").unwrap_or(own);
        own == path
    })
}

/// What a normalised type without its `Option`s is.
fn classify(ty: &Ty) -> Classified {
    let nothing = || Classified::Outside(Vec::new());
    match ty {
        Ty::Ref(inner) => match inner.as_ref() {
            Ty::Path(_) if path_of(inner).is_some_and(|(p, a)| p == "str" && a.is_empty()) => {
                Classified::Table(RustType::Scalar(RustScalar::String))
            }
            Ty::Slice(element)
                if path_of(element).is_some_and(|(p, a)| p == "u8" && a.is_empty()) =>
            {
                Classified::Outside(vec!["bytea".into()])
            }
            // `&[T]` and other borrows: the postgres crate reads none of them.
            _ => nothing(),
        },
        Ty::Slice(_) => Classified::Unknown(
            "a slice is not a type a value is read into: write `Vec<T>`".to_string(),
        ),
        Ty::Path(_) => {
            let (path, args) = path_of(ty).expect("a path");
            if let Some(scalar) = table_scalar(&path, args) {
                return Classified::Table(RustType::Scalar(scalar));
            }
            match (path.as_str(), args) {
                ("Vec", [element]) => vec_of(&path, element),
                ("Box", [Ty::Slice(element)]) => vec_of(&path, element),
                ("Box", [inner])
                    if path_of(inner).is_some_and(|(p, a)| p == "str" && a.is_empty()) =>
                {
                    Classified::Table(RustType::Scalar(RustScalar::String))
                }
                ("postgres::types::Json", [_]) => {
                    Classified::Table(RustType::Scalar(RustScalar::JsonValue))
                }
                ("u32", []) => Classified::Outside(vec!["oid".into()]),
                ("i8", []) => Classified::Outside(vec!["\"char\"".into()]),
                ("uuid::Uuid", []) => Classified::Outside(vec!["uuid".into()]),
                ("std::net::IpAddr", []) => Classified::Outside(vec!["inet".into()]),
                (
                    "u8" | "u16" | "u64" | "u128" | "usize" | "i128" | "isize" | "char" | "str",
                    [],
                ) => nothing(),
                ("Date" | "Time" | "DateTime", _) => Classified::Unknown(format!(
                    "`{path}` alone could be chrono's, time's or jiff's: write the full path \
                     (`chrono::NaiveDate`, `time::Date`, `jiff::civil::Date`; \
                     `chrono::NaiveDateTime`, `chrono::DateTime<chrono::Utc>`, \
                     `jiff::civil::DateTime`...)"
                )),
                _ => Classified::Unknown(String::new()),
            }
        }
    }
}

/// `Vec<T>` (`path` `Vec`) or `Box<[T]>` of `element`: an array of what `element` reads.
fn vec_of(path: &str, element: &Ty) -> Classified {
    let element = match strip_options(element.clone()) {
        Ok(element) => element,
        Err(why) => return Classified::Unknown(why),
    };
    match classify(&element) {
        Classified::Table(RustType::Scalar(scalar)) => Classified::Table(RustType::Vec(scalar)),
        // `Vec<Vec<T>>`: Postgres has no array of arrays type.
        Classified::Table(RustType::Vec(_)) => Classified::Outside(Vec::new()),
        Classified::Outside(reads) => {
            if path == "Vec" && canonical(&element) == "u8" {
                Classified::Outside(vec!["bytea".into()])
            } else {
                Classified::Outside(
                    reads
                        .into_iter()
                        .filter(|r| !r.ends_with("[]"))
                        .map(|r| format!("{r}[]"))
                        .collect(),
                )
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Scalar;

    /// A `[types] custom` entry is the path as written: listing a short name the table
    /// expands (`Value`) does not take the table's type (`serde_json::Value`) out of the check
    /// (attacker finding F4).
    #[test]
    fn custom_entries_match_the_path_as_written() {
        let custom = ["Value".to_string(), "my::Money".to_string()];
        let class = |written: &str| normalise(written, &custom).unwrap().class;
        assert_eq!(class("Value"), Classified::Custom);
        assert_eq!(class("Option< Value >"), Classified::Custom);
        assert_eq!(class(":: my :: Money"), Classified::Custom);
        assert_eq!(class("std::option::Option<my::Money>"), Classified::Custom);
        assert_ne!(class("serde_json::Value"), Classified::Custom);
        assert_ne!(class("Option<serde_json::Value>"), Classified::Custom);
        assert_ne!(class("other::Money"), Classified::Custom);
        // A reference to a listed type is that type: a custom-type note, not a mismatch.
        assert_eq!(class("&my::Money"), Classified::Custom);
        assert_eq!(class("& :: my :: Money"), Classified::Custom);
        assert_eq!(class("Option<&my::Money>"), Classified::Custom);
        assert!(matches!(
            judge("&Value", "double precision", &custom),
            Judged::Custom(_)
        ));
    }

    /// Messages show a type with a space only between two words: generated spacings of
    /// `&dyn ToString` and friends never glue two words (`&dynToString`).
    #[test]
    fn messages_never_glue_two_words_of_a_type() {
        let types: [&[&str]; 3] = [
            &["&", "dyn", "ToString"],
            &["&", "dyn", "std", "::", "fmt", "::", "Display"],
            &["&", "mut", "dyn", "Debug"],
        ];
        let word = |t: &str| t.starts_with(|c: char| c.is_alphanumeric());
        let mut rng = crate::testing::Rng::exact(0x7e57_0004);
        for _ in 0..200 {
            let tokens = types[rng.below(types.len())];
            let mut written = String::new();
            for (k, t) in tokens.iter().enumerate() {
                written.push_str(t);
                // Two words are apart in any spelling; other tokens may touch.
                let apart = tokens.get(k + 1).is_some_and(|next| word(t) && word(next));
                let choices: &[&str] = if apart {
                    &[" ", "  ", "\n"]
                } else {
                    &[" ", "", "\n  "]
                };
                written.push_str(choices[rng.below(choices.len())]);
            }
            let Err(message) = normalise(&written, &[]) else {
                continue;
            };
            let want = shown(&tokens.join(" "));
            assert!(
                message.contains(&format!("`{want}`")),
                "{written:?}: {message}"
            );
            assert!(
                !message.contains("dynToString") && !message.contains("dynstd"),
                "{message}"
            );
        }
        assert!(normalise("&dyn ToString", &[])
            .unwrap_err()
            .starts_with("`&dyn ToString` is not a Rust type"));
    }

    fn reads(written: &str, spelling: &str) -> Judged {
        judge(written, spelling, &[])
    }

    #[test]
    fn the_attackers_spellings_are_judged_by_the_table() {
        use Judged::*;
        let ts = "timestamp without time zone";
        let tz = "timestamp with time zone";
        assert_eq!(reads("DateTime<Utc>", ts), DoesNotRead);
        assert_eq!(reads("chrono::DateTime<chrono::Utc>", ts), DoesNotRead);
        assert_eq!(reads("chrono::DateTime<chrono::Utc>", tz), Reads);
        assert_eq!(reads("DateTime<FixedOffset>", tz), Reads);
        assert_eq!(reads("std::primitive::i64", "integer"), DoesNotRead);
        assert_eq!(reads("std::primitive::i64", "bigint"), Reads);
        assert_eq!(
            reads("::std::string::String", "double precision"),
            DoesNotRead
        );
        assert_eq!(reads("::std::string::String", "text"), Reads);
        assert_eq!(reads("Option<&str>", "character varying(18)"), Reads);
        assert_eq!(reads("Option<&'a str>", "boolean"), DoesNotRead);
        assert_eq!(reads("Vec<Option<String>>", "text[]"), Reads);
        assert_eq!(reads("Vec<Option<String>>", "text"), DoesNotRead);
        assert_eq!(reads("Option<Option<i32>>", "integer"), Reads);
        assert_eq!(reads("Option<Option<i32>>", "bigint"), DoesNotRead);
        assert_eq!(reads("Option::<i32>", "integer"), Reads);
        assert_eq!(reads("Option::<i32>", "double precision"), DoesNotRead);
        assert_eq!(reads("u32", "integer"), DoesNotRead);
        assert_eq!(reads("u32", "oid"), Reads);
        assert_eq!(reads("i8", "smallint"), DoesNotRead);
        assert_eq!(reads("uuid::Uuid", "uuid"), Reads);
        assert_eq!(reads("uuid::Uuid", "character varying(36)"), DoesNotRead);
        assert_eq!(reads("Vec<uuid::Uuid>", "uuid[]"), Reads);
        assert_eq!(reads("Vec<u8>", "bytea"), Reads);
        assert_eq!(reads("Vec<u8>", "integer[]"), DoesNotRead);
        assert_eq!(reads("u64", "bigint"), DoesNotRead);
        assert_eq!(reads("Box<str>", "text"), Reads);
        assert!(matches!(reads("Option<>", "integer"), Malformed(m) if m.contains("`Option<>`")));
        assert!(matches!(reads("Vec<String", "text[]"), Malformed(_)));
        assert!(matches!(reads("Option<i32, i64>", "integer"), Malformed(_)));
        assert!(
            matches!(reads("my::Money", "double precision"), Unknown { canonical, .. } if canonical == "my::Money")
        );
        assert!(
            matches!(reads("Date", "date"), Unknown { why, .. } if why.contains("chrono::NaiveDate"))
        );
        assert_eq!(
            judge(
                "Option<::my::Money>",
                "integer",
                &["my :: Money".to_string()]
            ),
            Custom("my::Money".into())
        );
    }

    /// Every table type, spelled at random (prefixes, `Option` forms, turbofish, whitespace),
    /// judges every Postgres type of the table as its canonical spelling does; random
    /// garbage never panics.
    #[test]
    fn random_spellings_are_judged_as_their_canonical_type() {
        let mut state: u64 = 0x5eed_2121;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let spellings: Vec<(RustScalar, Vec<&str>)> = vec![
            (
                RustScalar::Bool,
                vec!["bool", "std::primitive::bool", "::core::primitive::bool"],
            ),
            (RustScalar::I16, vec!["i16", "std::primitive::i16"]),
            (
                RustScalar::I32,
                vec!["i32", "::std::primitive::i32", "core::primitive::i32"],
            ),
            (RustScalar::I64, vec!["i64", "std::primitive::i64"]),
            (RustScalar::F32, vec!["f32", "core::primitive::f32"]),
            (RustScalar::F64, vec!["f64", "::std::primitive::f64"]),
            (
                RustScalar::String,
                vec![
                    "String",
                    "std::string::String",
                    "::alloc::string::String",
                    "&str",
                    "&'a str",
                    "Box<str>",
                ],
            ),
            (
                RustScalar::SystemTime,
                vec![
                    "SystemTime",
                    "std::time::SystemTime",
                    "::std::time::SystemTime",
                ],
            ),
            (
                RustScalar::ChronoDate,
                vec![
                    "chrono::NaiveDate",
                    "::chrono::naive::NaiveDate",
                    "NaiveDate",
                ],
            ),
            (
                RustScalar::ChronoTime,
                vec!["chrono::NaiveTime", "NaiveTime"],
            ),
            (
                RustScalar::ChronoDateTime,
                vec![
                    "chrono::NaiveDateTime",
                    "::chrono::NaiveDateTime",
                    "NaiveDateTime",
                ],
            ),
            (
                RustScalar::ChronoUtc,
                vec![
                    "chrono::DateTime<chrono::Utc>",
                    "DateTime<Utc>",
                    "::chrono::DateTime<::chrono::offset::Utc>",
                    "chrono::DateTime<FixedOffset>",
                ],
            ),
            (RustScalar::TimeDate, vec!["time::Date", "::time::Date"]),
            (RustScalar::TimeTime, vec!["time::Time"]),
            (
                RustScalar::TimePrimitive,
                vec!["time::PrimitiveDateTime", "PrimitiveDateTime"],
            ),
            (
                RustScalar::TimeOffset,
                vec!["time::OffsetDateTime", "OffsetDateTime"],
            ),
            (RustScalar::JiffDate, vec!["jiff::civil::Date"]),
            (
                RustScalar::JiffTime,
                vec!["jiff::civil::Time", "::jiff::civil::Time"],
            ),
            (RustScalar::JiffDateTime, vec!["jiff::civil::DateTime"]),
            (
                RustScalar::JiffTimestamp,
                vec!["jiff::Timestamp", "Timestamp"],
            ),
            (
                RustScalar::JsonValue,
                vec!["serde_json::Value", "::serde_json::value::Value", "Value"],
            ),
            (
                RustScalar::Decimal,
                vec![
                    "rust_decimal::Decimal",
                    "rust_decimal::prelude::Decimal",
                    "Decimal",
                ],
            ),
        ];
        assert_eq!(spellings.len(), RustScalar::ALL.len(), "every table type");
        let options = [
            "Option<{}>",
            "std::option::Option<{}>",
            "::core::option::Option<{}>",
            "Option::<{}>",
            "Option<Option<{}>>",
            "{}",
        ];
        let pg: Vec<String> = Scalar::ALL
            .iter()
            .flat_map(|s| [s.sql_name().to_string(), format!("{}[]", s.sql_name())])
            .chain(["uuid".to_string(), "bytea".to_string()])
            .collect();
        let spaced = |text: &str, next: &mut dyn FnMut(usize) -> usize| -> String {
            let mut out = String::new();
            for c in text.chars() {
                if matches!(c, '<' | '>' | ':' | ',' | '&') && next(2) == 0 {
                    out.push(' ');
                }
                out.push(c);
                if matches!(c, '<' | '>' | ',') && next(2) == 0 {
                    out.push(' ');
                }
            }
            out.replace(": :", "::")
        };
        for _ in 0..800 {
            let (scalar, forms) = &spellings[next(spellings.len())];
            let form = forms[next(forms.len())];
            let vec = next(3) == 0 && !form.starts_with('&');
            let (inner, canonical_rust) = if vec {
                let element = if next(2) == 0 {
                    format!("Option<{form}>")
                } else {
                    form.to_string()
                };
                let wrapper = ["Vec<{}>", "std::vec::Vec<{}>", "::alloc::vec::Vec::<{}>"][next(3)];
                (wrapper.replace("{}", &element), RustType::Vec(*scalar))
            } else {
                (form.to_string(), RustType::Scalar(*scalar))
            };
            let written = options[next(options.len())].replace("{}", &inner);
            let written = spaced(&written, &mut next);
            let canonical = canonical_rust.path();
            for spelling in &pg {
                assert_eq!(
                    judge(&written, spelling, &[]),
                    judge(&canonical, spelling, &[]),
                    "`{written}` vs `{canonical}` over {spelling}"
                );
            }
            assert_eq!(table_type(&written), Some(canonical_rust), "{written}");
        }
        // Garbage: never a panic, never a pass.
        let pieces = [
            "Option", "<", ">", "::", ",", "&", "'a", "[", "]", "i32", "String", " ", "std", "(",
            "Vec",
        ];
        for _ in 0..3000 {
            let text: String = (0..next(8)).map(|_| pieces[next(pieces.len())]).collect();
            let judged = judge(&text, "integer", &[]);
            if judged == Judged::Reads {
                assert_eq!(
                    table_type(&text),
                    Some(RustType::Scalar(RustScalar::I32)),
                    "{text}"
                );
            }
        }
    }
}
