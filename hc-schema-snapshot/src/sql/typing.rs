//! The typing of a typed query (`hc_query!`, issue 21): from its [`Shape`], the column types
//! of every snapshot of the directory ([`ColumnTypes`]), the project's `[types]` and the
//! number of arguments, the row struct's fields, the parameters' types and every type error,
//! worded once. The macro turns the result into tokens and compile errors; `hc-schema check`
//! reports the same errors without compiling ([`crate::sqlcheck`]), so that the two never
//! disagree.
//!
//! Every type comes from the one type table ([`crate::types`]) applied to every snapshot that
//! maps the column (selected or not): every build generates the same struct, and a column
//! whose environments have no common Rust type is an error in every build. What is not known
//! is an error asking for an override (`AS "col: Type"`) or a cast (`$1::text`): no type is
//! guessed.
//!
//! ```
//! use hc_schema_snapshot::sql::{shape, type_query, Context, SnapshotTypes, Union};
//! use hc_schema_snapshot::types::TypesConfig;
//! use hc_schema_snapshot::Snapshot;
//! let snapshot = |env: &str, ty: &str| Snapshot::parse(&format!(r#"{{"format":1,"environment":"{env}",
//!     "schema":"salesforce","tables":{{"account":{{"columns":{{"name":{{"type":"text"}},
//!     "annualrevenue":{{"type":"{ty}"}}}}}}}}}}"#), "x.json", env).unwrap();
//! let (test, prod) = (snapshot("test", "double precision"), snapshot("prod", "text"));
//! let union = Union::new([&test, &prod]);
//! let context = Context::new(["salesforce"], &union);
//! let types = SnapshotTypes::new([("test", "hc-schema/test.json", &test), ("prod", "hc-schema/prod.json", &prod)]);
//! let one = shape("SELECT name FROM account WHERE name = $1", &context).unwrap();
//! let typed = type_query(&one, &types, &TypesConfig::default(), 1);
//! assert!(typed.errors.is_empty());
//! assert_eq!((typed.fields[0].name.as_str(), typed.fields[0].shown().as_str()), ("name", "Option<String>"));
//! let drifting = shape("SELECT annualrevenue FROM account", &context).unwrap();
//! let typed = type_query(&drifting, &types, &TypesConfig::default(), 0);
//! assert!(typed.errors[0].message.contains("no Rust type reads"), "{}", typed.errors[0].message);
//! ```

use std::collections::HashMap;
use std::ops::Range;

use crate::snapshot::Snapshot;
use crate::types::{
    decide, is_never_null, readers_of, rust_type, EnvType, PgType, RustType, TypesConfig,
    Unreadable,
};
use crate::written::{judge, normalise, unknown_type_advice, Classified, Judged};

use super::literal::SourceLiteral;
use super::shape::{OutputColumn, OutputSource, ParamSource, Shape};

/// Where the column types a typed query is decided from come from: each environment's type
/// of a column, for every snapshot that maps it.
pub trait ColumnTypes {
    /// Each environment's type of `table.column`, for every snapshot that maps it (ordered
    /// by environment name, so that every build words a drift the same way); and whether
    /// any says it is nullable.
    fn column_types(&self, table: &str, column: &str) -> (Vec<EnvType>, bool);
}

/// The build script's types index answers as the snapshots it was written from do.
impl ColumnTypes for crate::types_index::TypesIndex {
    fn column_types(&self, table: &str, column: &str) -> (Vec<EnvType>, bool) {
        crate::types_index::TypesIndex::column_types(self, table, column)
    }
}

/// [`ColumnTypes`] read from loaded snapshots: (environment, file as shown, snapshot).
pub struct SnapshotTypes<'a> {
    snapshots: Vec<(&'a str, &'a str, &'a Snapshot)>,
}

impl<'a> SnapshotTypes<'a> {
    /// The snapshots, each with its environment and its file as shown to users.
    pub fn new(snapshots: impl IntoIterator<Item = (&'a str, &'a str, &'a Snapshot)>) -> Self {
        let mut snapshots: Vec<_> = snapshots.into_iter().collect();
        // By environment name: every build words a drift the same way.
        snapshots.sort_by(|a, b| a.0.cmp(b.0));
        SnapshotTypes { snapshots }
    }
}

impl ColumnTypes for SnapshotTypes<'_> {
    fn column_types(&self, table: &str, column: &str) -> (Vec<EnvType>, bool) {
        let mut envs = Vec::new();
        let mut nullable = false;
        for (env, display, snapshot) in &self.snapshots {
            if let Some(found) = snapshot.table(table).and_then(|t| t.column(column)) {
                nullable |= found.nullable;
                envs.push(EnvType {
                    env: env.to_string(),
                    display: display.to_string(),
                    spelling: found.data_type.clone(),
                });
            }
        }
        (envs, nullable)
    }
}

/// The Rust type of one field, before `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// From the type table.
    Table(RustType),
    /// Written by the user in the alias (`AS "col: Type"`), as written.
    Written(String),
}

/// One field of a typed query's row struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedField {
    /// The field's name (the alias without its override).
    pub name: String,
    /// The column name as PostgreSQL returns it (the alias with its override).
    pub column: String,
    /// Its type, without `Option`.
    pub ty: FieldType,
    /// Whether it is an `Option`.
    pub nullable: bool,
}

impl TypedField {
    /// Whether the type is the user's (`AS "col: Type"`), which may lack `Debug`, `Clone`...
    pub fn written(&self) -> bool {
        matches!(self.ty, FieldType::Written(_))
    }

    /// The type without `Option`, as a path to parse into tokens.
    pub fn path(&self) -> String {
        match &self.ty {
            FieldType::Table(rust) => rust.path(),
            FieldType::Written(text) => text.clone(),
        }
    }

    /// The type without `Option`, as shown in a run-time error.
    pub fn shown_inner(&self) -> String {
        match &self.ty {
            FieldType::Table(rust) => rust.display(),
            FieldType::Written(text) => text.replace(' ', ""),
        }
    }

    /// The field's type as shown in a run-time error (`Option<String>`).
    pub fn shown(&self) -> String {
        if self.nullable {
            format!("Option<{}>", self.shown_inner())
        } else {
            self.shown_inner()
        }
    }
}

/// One parameter: the Rust types it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedParam {
    /// Its number (1-based).
    pub number: usize,
    /// `None` only for a parameter already refused with an error (its type cannot be inferred:
    /// a cast outside the type table is such an error too, never "any `ToSql`").
    pub rust: Option<RustType>,
    /// What it stands for, for the error message (`` `account.billingcountry` ``).
    pub what: String,
}

/// A type error of a typed query: the build's compile error and `hc-schema check`'s finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypingError {
    /// What is wrong, and the fix (later lines `  = note: ...` / `  = help: ...`).
    pub message: String,
    /// Where in the SQL (byte offsets into the literal's value): shown as the last note.
    pub at: Option<Range<usize>>,
    /// The argument it is reported at (0-based, an argument too many); `None`: at the SQL
    /// literal.
    pub argument: Option<usize>,
}

impl TypingError {
    /// The error's full text for the literal `source` (its place in the SQL as a note).
    pub fn text(&self, source: &SourceLiteral<'_>) -> String {
        match &self.at {
            Some(at) => format!("{}\n  = note: {}", self.message, source.place(at.clone())),
            None => self.message.clone(),
        }
    }
}

/// What [`type_query`] decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    /// The row struct's fields (the outputs that type), in order.
    pub fields: Vec<TypedField>,
    /// The parameters that type, in order.
    pub params: Vec<TypedParam>,
    /// The type errors: the query does not build when there is any.
    pub errors: Vec<TypingError>,
}

/// Type the query of `shape` given `arguments` values: its fields, its parameters and its
/// type errors (outputs first, then parameters, then the argument count).
pub fn type_query(
    shape: &Shape,
    types: &dyn ColumnTypes,
    config: &TypesConfig,
    arguments: usize,
) -> Typed {
    let typer = Typer { types, config };
    let mut errors = Vec::new();
    let fields = typer.outputs(shape, &mut errors);
    let params = typer.params(shape, &mut errors);
    let count = shape.params.len();
    if count != arguments {
        let has = match count {
            0 => "no parameter".to_string(),
            1 => "1 parameter ($1)".to_string(),
            n => format!("{n} parameters ($1..${n})"),
        };
        errors.push(TypingError {
            message: format!(
                "the SQL has {has} but hc_query! was given {arguments} argument(s): pass one \
                 value per parameter, in order"
            ),
            at: None,
            argument: (arguments > count).then_some(count),
        });
    }
    Typed {
        fields,
        params,
        errors,
    }
}

/// The Heroku Connect columns whose type [`type_query`] judges: each read into an output by
/// name (its field's type decides, drift included) and each a parameter stands for. The
/// query's other columns (compared in a `WHERE`, read inside a CTE or a subquery) are used
/// without a Rust type: `hc_sql!`'s drift rule is theirs.
pub fn typed_columns(shape: &Shape) -> std::collections::HashSet<(String, String)> {
    let outputs = shape
        .outputs
        .iter()
        .filter_map(|output| match &output.source {
            OutputSource::Column { table, column } => Some((table.clone(), column.clone())),
            _ => None,
        });
    let params = shape.params.iter().flat_map(|param| {
        param.sources.iter().filter_map(|source| match source {
            ParamSource::Column { table, column, .. } => Some((table.clone(), column.clone())),
            _ => None,
        })
    });
    outputs.chain(params).collect()
}

/// The Rust types each Heroku Connect column of the query is read or bound with, by (table,
/// column), each once, in the order of their uses: an output's field type (without `Option`),
/// a parameter's type (the element type for `= ANY($n)`). A column read as two types (a
/// self-join, `SELECT x AS "a: SystemTime", x AS "b: chrono::NaiveDateTime"`) has both: the
/// release phase judges each (attacker finding F1 of round 11: only the first was recorded).
pub fn rust_types(shape: &Shape, typed: &Typed) -> HashMap<(String, String), Vec<String>> {
    let mut out: HashMap<(String, String), Vec<String>> = HashMap::new();
    let mut add = |key: (String, String), rust: String| {
        let types = out.entry(key).or_default();
        if !types.contains(&rust) {
            types.push(rust);
        }
    };
    for (output, field) in shape.outputs.iter().zip(&typed.fields) {
        if let OutputSource::Column { table, column } = &output.source {
            let shown = field.shown();
            let inner = shown
                .strip_prefix("Option<")
                .and_then(|s| s.strip_suffix('>'))
                .unwrap_or(&shown);
            add((table.clone(), column.clone()), inner.to_string());
        }
    }
    for param in &shape.params {
        let Some(rust) = typed
            .params
            .iter()
            .find(|p| p.number == param.number)
            .and_then(|p| p.rust)
        else {
            continue;
        };
        for source in &param.sources {
            if let ParamSource::Column {
                table,
                column,
                array,
            } = source
            {
                let rust = match (rust, array) {
                    (RustType::Vec(scalar), true) => RustType::Scalar(scalar),
                    (rust, _) => rust,
                };
                add((table.clone(), column.clone()), rust.display());
            }
        }
    }
    out
}

/// With the registry on, the error of each Heroku Connect column `rust` (from [`rust_types`])
/// reads or binds as more than one Rust type (spellings of one type count once): the registry
/// records one type per column for the release phase, which would judge only one of them
/// (attacker finding F1 of round 11). The macro and `hc-schema check` report these same texts,
/// in the order of the columns' names.
pub fn registered_type_conflicts(rust: &HashMap<(String, String), Vec<String>>) -> Vec<String> {
    let mut keys: Vec<_> = rust.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let mut distinct: Vec<String> = Vec::new();
        for ty in &rust[key] {
            let canonical = crate::written::table_type(ty)
                .map_or_else(|| ty.split_whitespace().collect(), |t| t.display());
            if !distinct.contains(&canonical) {
                distinct.push(canonical);
            }
        }
        if distinct.len() > 1 {
            let shown: Vec<String> = distinct.iter().map(|t| format!("`{t}`")).collect();
            out.push(format!(
                "hc_query! reads `{}.{}` as {} different Rust types ({}), but the registry \
                 records one type per column for the release phase, which would judge only one \
                 of them: read the column as one type",
                key.0,
                key.1,
                distinct.len(),
                shown.join(", ")
            ));
        }
    }
    out
}

/// Whether a struct field can be named `name` (a keyword other than `self`, `Self`, `super`
/// and `crate` becomes a raw identifier).
///
/// ```
/// use hc_schema_snapshot::sql::field_name_ok;
/// assert!(field_name_ok("name") && field_name_ok("type") && field_name_ok("_x"));
/// assert!(!field_name_ok("?column?") && !field_name_ok("_") && !field_name_ok("self") && !field_name_ok("1a"));
/// ```
pub fn field_name_ok(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && name != "_"
        && !matches!(name, "self" | "Self" | "super" | "crate")
}

/// Whether the Rust type holds a reference or a lifetime (`&str`, `Cow<'static, str>`), which
/// a field of the generated row struct cannot have.
fn borrows(ty: &syn::Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_type_reference(&mut self, _: &'ast syn::TypeReference) {
            self.0 = true;
        }
        fn visit_lifetime(&mut self, _: &'ast syn::Lifetime) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}

/// The type table and the column types, deciding.
struct Typer<'a> {
    types: &'a dyn ColumnTypes,
    config: &'a TypesConfig,
}

impl Typer<'_> {
    fn outputs(&self, shape: &Shape, errors: &mut Vec<TypingError>) -> Vec<TypedField> {
        let mut fields: Vec<TypedField> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (n, output) in shape.outputs.iter().enumerate() {
            let fail = |errors: &mut Vec<TypingError>, message: String| {
                errors.push(TypingError {
                    message,
                    at: Some(output.at.clone()),
                    argument: None,
                });
            };
            if output.source == OutputSource::Wildcard {
                fail(
                    errors,
                    "hc_query! needs each output column by name: `*` returns different columns \
                     in different environments; list the columns"
                        .to_string(),
                );
                continue;
            }
            let parsed = Override::parse(&output.name);
            if output.unnamed || !field_name_ok(&parsed.name) {
                fail(
                    errors,
                    format!(
                        "output column {} has no name a struct field can have (`{}`): \
                         alias it: `AS name`",
                        n + 1,
                        output.name
                    ),
                );
                continue;
            }
            if let Some(first) = seen.insert(parsed.name.clone(), n) {
                fail(
                    errors,
                    format!(
                        "output columns {} and {} are both named `{}`: alias one of them \
                         (`AS other_name`)",
                        first + 1,
                        n + 1,
                        parsed.name
                    ),
                );
                continue;
            }
            match self.output_type(output, &parsed, shape) {
                Ok((ty, nullable)) => fields.push(TypedField {
                    name: parsed.name.clone(),
                    column: output.name.clone(),
                    ty,
                    nullable,
                }),
                Err(message) => fail(errors, message),
            }
        }
        fields
    }

    /// Whether the alias type `text` (of the output named `alias`, reading `subject`) is one
    /// hc-schema knows or `[types] custom` lists ([`normalise`], the rule of typed
    /// declarations): else an error in the words of a declaration's.
    fn known_type(
        &self,
        text: &str,
        alias: &str,
        subject: &str,
        envs: &[EnvType],
    ) -> Result<(), String> {
        let normalised = normalise(text, &self.config.custom)
            .map_err(|message| format!("{message} (in the alias `{alias}`)"))?;
        let Classified::Unknown(why) = normalised.class else {
            return Ok(());
        };
        let spellings: Vec<&str> = envs.iter().filter_map(|e| e.spelling.as_deref()).collect();
        let mut readers = spellings.first().map(|s| readers_of(s)).unwrap_or_default();
        readers.retain(|r| spellings.iter().all(|s| judge(r, s, &[]) == Judged::Reads));
        let (notes, helps) = unknown_type_advice(&normalised.canonical, &why, &readers);
        let mut message = format!(
            "`{text}` in the alias `{alias}` is a Rust type hc-schema does not know, so whether \
             it reads {subject} cannot be checked"
        );
        for note in notes {
            message.push_str(&format!("\n  = note: {note}"));
        }
        for help in helps {
            message.push_str(&format!("\n  = help: {help}"));
        }
        Err(message)
    }

    /// The field type of one output, and whether it is an `Option`: a column of a table can
    /// be NULL under an outer join, and any output under grouping sets (`ROLLUP`, `CUBE`,
    /// `GROUPING SETS`), whose total rows have NULL in every grouped column; the alias's `!`
    /// overrides both.
    fn output_type(
        &self,
        output: &OutputColumn,
        parsed: &Override,
        shape: &Shape,
    ) -> Result<(FieldType, bool), String> {
        let outer_join = shape.outer_join;
        // The alias type, when it is a Rust type at all.
        let written = match &parsed.ty {
            Some(text) => {
                let ty = syn::parse_str::<syn::Type>(text).map_err(|err| {
                    format!(
                        "`{}` in the alias `{}` is not a Rust type: {err}",
                        text, output.name
                    )
                })?;
                if borrows(&ty) {
                    return Err(format!(
                        "`{text}` in the alias `{}` borrows (a reference or a lifetime), but a \
                         row's field owns its value: use an owned type (`String` for `&str`, \
                         `Vec<T>` for `&[T]`)",
                        output.name
                    ));
                }
                Some(text.as_str())
            }
            None => None,
        };
        let (inner, nullable): (Option<RustType>, bool) = match &output.source {
            OutputSource::Column { table, column } => {
                let subject = format!("{table}.{column}");
                let (envs, nullable_anywhere) = self.types.column_types(table, column);
                let nullable = !is_never_null(column, nullable_anywhere) || outer_join;
                match written {
                    Some(text) => {
                        self.known_type(text, &output.name, &format!("`{subject}`"), &envs)?;
                        let reads = envs.iter().all(|e| {
                            e.spelling.as_deref().is_none_or(|spelling| {
                                judge(text, spelling, &self.config.custom) != Judged::DoesNotRead
                            })
                        });
                        if !reads {
                            return Err(format!(
                                "`{text}` does not read `{subject}`, which is {}",
                                envs.iter()
                                    .map(|e| format!(
                                        "{} in {} ({})",
                                        e.spelling.as_deref().unwrap_or("untyped"),
                                        e.env,
                                        e.display
                                    ))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ));
                        }
                        (None, nullable)
                    }
                    None => (
                        Some(decide(&subject, &envs, self.config).map_err(|e| e.to_string())?),
                        nullable,
                    ),
                }
            }
            OutputSource::Known { pg, never_null } => {
                if let Some(text) = written {
                    let subject = format!("output `{}`", parsed.name);
                    self.known_type(text, &output.name, &subject, &[])?;
                    let spelling = match pg {
                        PgType::Scalar(s) => s.sql_name().to_string(),
                        PgType::Array(s) => format!("{}[]", s.sql_name()),
                    };
                    if judge(text, &spelling, &self.config.custom) == Judged::DoesNotRead {
                        return Err(format!(
                            "`{text}` does not read {subject}, which is {}",
                            pg.family()
                        ));
                    }
                    (None, !never_null)
                } else {
                    let rust = rust_type(*pg, self.config).map_err(|err| match err {
                        Unreadable::NeedsOption(option) => {
                            format!("output `{}` is {}: {option}", parsed.name, pg.family())
                        }
                        Unreadable::Unknown => format!(
                            "output `{}` is {}, which hc-schema does not map to a Rust type; \
                             give it one in the alias: `AS \"{}: Type\"`",
                            parsed.name,
                            pg.family(),
                            parsed.name
                        ),
                    })?;
                    (Some(rust), !never_null)
                }
            }
            // The cast states the type: the alias type must read it, as over a column
            // (`'...'::uuid AS "u: String"` fails on every row; attacker finding F2 of round 11).
            OutputSource::CastOutsideTable { written: cast } if written.is_some() => {
                let text = written.unwrap_or_default();
                let subject = format!("output `{}`", parsed.name);
                self.known_type(text, &output.name, &subject, &[])?;
                if judge(text, cast, &self.config.custom) == Judged::DoesNotRead {
                    return Err(format!(
                        "`{text}` does not read {subject}, which is cast to {}",
                        cast.to_ascii_lowercase()
                    ));
                }
                (None, true)
            }
            OutputSource::Unknown if written.is_some() => (None, true),
            OutputSource::CastOutsideTable { written } => {
                return Err(format!(
                    "output `{}` is cast to {written}, which hc-schema does not map to a Rust \
                     type; give it one in the alias: `AS \"{}: Type\"`",
                    parsed.name, parsed.name
                ));
            }
            OutputSource::Unknown | OutputSource::Wildcard => {
                return Err(format!(
                    "the type of output `{}` cannot be known from the snapshots (an expression, \
                     a function, or a column of a subquery or of a table that is not Heroku \
                     Connect's): give it one in the alias: `AS \"{}: Type\"` (`\"{}!: Type\"` \
                     when it is never NULL)",
                    parsed.name, parsed.name, parsed.name
                ));
            }
        };
        let nullable = parsed.null.unwrap_or(nullable || shape.grouping_sets);
        let ty = match (written, inner) {
            (Some(text), _) => FieldType::Written(text.to_string()),
            (None, Some(rust)) => FieldType::Table(rust),
            (None, None) => return Err("no type".to_string()),
        };
        Ok((ty, nullable))
    }

    fn params(&self, shape: &Shape, errors: &mut Vec<TypingError>) -> Vec<TypedParam> {
        let mut params = Vec::new();
        // A run of numbers the SQL skips is one error (`$65535` alone must not make 65,534).
        let missing = |p: &crate::sql::Param| p.sources.is_empty() && p.at.is_empty();
        let mut skip_until = 0;
        for (index, param) in shape.params.iter().enumerate() {
            let number = param.number;
            if number < skip_until {
                continue;
            }
            let mut fail = |message: String| {
                errors.push(TypingError {
                    message,
                    at: (!param.at.is_empty()).then(|| param.at.clone()),
                    argument: None,
                });
            };
            if missing(param) {
                let run = shape.params[index..]
                    .iter()
                    .take_while(|p| missing(p))
                    .count();
                skip_until = number + run;
                if run == 1 {
                    fail(format!(
                        "parameter ${number} is not in the SQL, which uses a higher number: \
                         number the parameters from $1 without gaps"
                    ));
                } else {
                    fail(format!(
                        "parameters ${number} to ${} are not in the SQL, which uses a higher \
                         number: number the parameters from $1 without gaps",
                        number + run - 1
                    ));
                }
                continue;
            }
            if param.sources.is_empty() {
                fail(format!(
                    "the type of parameter ${number} cannot be inferred from where it stands: \
                     cast it (`${number}::text`, `${number}::float8`, ...), or compare it with \
                     a column of the statement's own tables"
                ));
                params.push(TypedParam {
                    number,
                    rust: None,
                    what: String::new(),
                });
                continue;
            }
            let mut decided: Vec<(Option<RustType>, String)> = Vec::new();
            let mut failed = false;
            for source in &param.sources {
                match self.param_source(number, source) {
                    Ok(one) => decided.push(one),
                    Err(message) => {
                        fail(message);
                        failed = true;
                    }
                }
            }
            if failed {
                continue;
            }
            let first = decided[0].clone();
            if let Some(other) = decided.iter().find(|d| d.0 != first.0) {
                fail(format!(
                    "parameter ${number} stands for {} ({}) and for {} ({}): use two parameters, \
                     or cast it",
                    first.1,
                    first.0.map_or("any type".to_string(), |r| r.display()),
                    other.1,
                    other.0.map_or("any type".to_string(), |r| r.display()),
                ));
                continue;
            }
            params.push(TypedParam {
                number,
                rust: first.0,
                what: first.1,
            });
        }
        params
    }

    /// The type one place gives parameter `$number`, and what it stands for there.
    fn param_source(
        &self,
        number: usize,
        source: &ParamSource,
    ) -> Result<(Option<RustType>, String), String> {
        match source {
            ParamSource::Column {
                table,
                column,
                array,
            } => {
                let subject = format!("{table}.{column}");
                let (envs, _) = self.types.column_types(table, column);
                let rust = decide(&subject, &envs, self.config)
                    .map_err(|e| format!("parameter ${number}: {e}"))?;
                let rust = match (rust, array) {
                    (RustType::Scalar(s), true) => RustType::Vec(s),
                    (rust, false) => rust,
                    (RustType::Vec(_), true) => {
                        return Err(format!(
                            "parameter ${number}: `= ANY(${number})` over the array column \
                             `{subject}` is not supported: cast it"
                        ));
                    }
                };
                let what = if *array {
                    format!("an array of `{subject}`")
                } else {
                    format!("`{subject}`")
                };
                Ok((Some(rust), what))
            }
            ParamSource::Known(pg) => rust_type(*pg, self.config)
                .map(|rust| (Some(rust), pg.family()))
                .map_err(|err| match err {
                    Unreadable::NeedsOption(option) => {
                        format!("parameter ${number} is {}: {option}", pg.family())
                    }
                    Unreadable::Unknown => {
                        format!("parameter ${number}: {} has no Rust type", pg.family())
                    }
                }),
            // No Rust type is known to bind as `written`: binding any value would fail at run
            // time (attacker finding F2), so it is an error, as an untyped parameter is.
            ParamSource::CastOutsideTable(written) => Err(format!(
                "parameter ${number} is cast to `{written}`, a type hc_query! cannot type-check: \
                 cast it to a type of the table (`${number}::text`, `${number}::int8`, \
                 `${number}::float8`, `${number}::numeric`, `${number}::bool`, \
                 `${number}::timestamptz`, ...), through one if need be \
                 (`${number}::text::{written}`), or compare it with a column of the \
                 statement's own tables"
            )),
        }
    }
}

/// sqlx's alias overrides: `name!` (not NULL), `name?` (nullable), `name: Type`, combined.
struct Override {
    name: String,
    null: Option<bool>,
    ty: Option<String>,
}

impl Override {
    fn parse(alias: &str) -> Override {
        let (head, ty) = match alias.split_once(':') {
            Some((head, ty)) => (head.trim(), Some(ty.trim().to_string())),
            None => (alias.trim(), None),
        };
        let (name, null) = if let Some(name) = head.strip_suffix('!') {
            (name, Some(false))
        } else if let Some(name) = head.strip_suffix('?') {
            (name, Some(true))
        } else {
            (head, None)
        };
        Override {
            name: name.trim().to_string(),
            null,
            ty,
        }
    }
}

#[cfg(test)]
#[path = "typing_tests.rs"]
mod tests;
