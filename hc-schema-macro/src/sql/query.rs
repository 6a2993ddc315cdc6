//! `hc_query!("SELECT ...", args...)`: `hc_sql!`'s analysis and checks (through
//! [`crate::judge`], the same findings and wording), plus a generated row struct and typed
//! parameters, on the `postgres` crate.
//!
//! Types come from the library's type table ([`hc_schema_snapshot::types`]) applied to EVERY
//! snapshot of the snapshot directory that maps the column (selected or not), so that every
//! build generates the same struct; a column whose environments have no common Rust type is
//! an error in every build. Where a type comes from is the library's
//! [`shape`](hc_schema_snapshot::sql::shape); what is not known is an error asking for an
//! override (`AS "col: Type"`) or a cast (`$1::text`): no type is guessed.
//!
//! The generated code names `::postgres` (the app's own dependency: the client, rows,
//! `ToSql`, `GenericClient`) and `::hc_schema_snapshot::query::QueryError` (std only), never
//! anything this crate compiles.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use hc_schema_snapshot::config::Project;
use hc_schema_snapshot::selection::Selection;
use hc_schema_snapshot::sql::{OutputColumn, OutputSource, ParamSource, Shape};
use hc_schema_snapshot::types::{
    decide, is_never_null, readers_of, rust_type, EnvType, PgType, RustType, TypesConfig,
    Unreadable,
};
use hc_schema_snapshot::written::{judge, normalise, unknown_type_advice, Classified, Judged};
use hc_schema_snapshot::Snapshot;
use proc_macro::{TokenStream, TokenTree};
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};

use super::literal::SqlLiteral;
use super::{check, context};
use crate::snapshots;

/// Expand `hc_query!(input)`.
pub fn hc_query(input: TokenStream) -> TokenStream {
    let (mut literal_tokens, mut rest) = split_first_argument(input);
    // The named form: `hc_query!(MyRow, "SELECT ...", args...)` fills a struct of the user's.
    let mut target: Option<syn::Path> = None;
    if !starts_with_literal(&literal_tokens) {
        match syn::parse::<syn::Path>(literal_tokens) {
            Ok(path) => target = Some(path),
            Err(error) => {
                return errors_only(&[syn::Error::new(
                    error.span(),
                    "hc_query! takes the SQL as a string literal, optionally after the path of \
                     a struct of yours to fill: `hc_query!(\"SELECT ...\", args...)` or \
                     `hc_query!(Account, \"SELECT ...\", args...)`",
                )])
            }
        }
        (literal_tokens, rest) = split_first_argument(rest);
    }
    let literal = match SqlLiteral::parse(literal_tokens) {
        Ok(literal) => literal,
        Err(error) => return errors_only(&[error]),
    };
    let args = match syn::parse::Parser::parse(
        syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        rest,
    ) {
        Ok(args) => args.into_iter().collect::<Vec<_>>(),
        Err(error) => return errors_only(&[error]),
    };
    let selection = snapshots::selection();
    if let Some(error) = super::unseen(&literal, "hc_query!", &selection) {
        return errors_only(&[error]);
    }
    let setup = check::setup_errors(&selection, literal.span);
    if !setup.is_empty() || selection.as_ref().is_err() {
        return errors_only(&or_one(
            setup,
            &literal,
            "hc_query!: the snapshots cannot be read",
        ));
    }
    let known = context::known(&selection);
    let known = match known.as_ref() {
        Ok(known) => known,
        Err(message) => return errors_only(&[syn::Error::new(literal.span, message)]),
    };
    let analysis = match known.analyze(&literal.value) {
        Ok(analysis) => analysis,
        Err(errors) => {
            let errors: Vec<syn::Error> = errors
                .iter()
                .map(|error| check::analysis_error(error, &literal))
                .collect();
            return errors_only(&errors);
        }
    };
    let mut errors = check::findings(&analysis, &literal, &selection);
    if !errors.is_empty() {
        // A column some environment lacks: its type is not the question yet.
        return errors_only(&errors);
    }
    let shape = match known.shape(&literal.value) {
        Ok(shape) => shape,
        Err(found) => {
            errors.extend(
                found
                    .iter()
                    .map(|error| check::analysis_error(error, &literal)),
            );
            return errors_only(&errors);
        }
    };
    let Ok(selection) = selection.as_ref() else {
        return errors_only(&errors);
    };
    let typer = match Typer::new(selection) {
        Ok(typer) => typer,
        Err(message) => {
            errors.push(syn::Error::new(literal.span, message));
            return errors_only(&errors);
        }
    };
    let fields = typer.outputs(&shape, &literal, &mut errors);
    let params = typer.params(&shape, &literal, &mut errors);
    let count = shape.params.len();
    if count != args.len() {
        let span = args
            .get(count)
            .map_or(literal.span, syn::spanned::Spanned::span);
        let has = match count {
            0 => "no parameter".to_string(),
            1 => "1 parameter ($1)".to_string(),
            n => format!("{n} parameters ($1..${n})"),
        };
        errors.push(syn::Error::new(
            span,
            format!(
                "the SQL has {has} but hc_query! was given {} argument(s): pass one value per \
                 parameter, in order",
                args.len()
            ),
        ));
    }
    if !errors.is_empty() {
        return errors_only(&errors);
    }
    // With the registry on, the query's requirements and the types it was built against (its
    // Rust types too) go into the registry, as `hc_sql!`'s do.
    let registration = (selection.registry && analysis.touches_hc()).then(|| {
        let rust = rust_types(&shape, &fields, &params);
        TokenStream2::from(super::expand::registration(
            &analysis,
            &literal,
            &|usage, spot| {
                rust.get(&(usage.table.name.clone(), spot.name.clone()))
                    .cloned()
            },
        ))
    });
    generate(
        &literal,
        &shape,
        &fields,
        &params,
        &args,
        target.as_ref(),
        registration,
    )
    .into()
}

/// The Rust type each Heroku Connect column of the query is read or bound with, by (table,
/// column): an output's field type (without `Option`), a parameter's type (the element type
/// for `= ANY($n)`). The first one wins when a column is used twice.
fn rust_types(
    shape: &Shape,
    fields: &[Field],
    params: &[ParamType],
) -> HashMap<(String, String), String> {
    let mut out: HashMap<(String, String), String> = HashMap::new();
    for (output, field) in shape.outputs.iter().zip(fields) {
        if let OutputSource::Column { table, column } = &output.source {
            let shown = field.shown.as_str();
            let inner = shown
                .strip_prefix("Option<")
                .and_then(|s| s.strip_suffix('>'))
                .unwrap_or(shown);
            out.entry((table.clone(), column.clone()))
                .or_insert_with(|| inner.to_string());
        }
    }
    for param in &shape.params {
        let Some(rust) = params
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
                out.entry((table.clone(), column.clone()))
                    .or_insert_with(|| rust.display());
            }
        }
    }
    out
}

/// Whether the tokens start with a literal (possibly in macro_rules' invisible group).
fn starts_with_literal(tokens: &TokenStream) -> bool {
    match tokens.clone().into_iter().next() {
        Some(TokenTree::Literal(_)) | None => true,
        Some(TokenTree::Group(group)) => {
            group.delimiter() == proc_macro::Delimiter::None && starts_with_literal(&group.stream())
        }
        Some(_) => false,
    }
}

/// The tokens before the first top-level comma, and those after it.
fn split_first_argument(input: TokenStream) -> (TokenStream, TokenStream) {
    let mut first = Vec::new();
    let mut rest = Vec::new();
    let mut seen_comma = false;
    for token in input {
        if seen_comma {
            rest.push(token);
            continue;
        }
        if let TokenTree::Punct(punct) = &token {
            if punct.as_char() == ',' {
                seen_comma = true;
                continue;
            }
        }
        first.push(token);
    }
    (first.into_iter().collect(), rest.into_iter().collect())
}

fn or_one(errors: Vec<syn::Error>, literal: &SqlLiteral, message: &str) -> Vec<syn::Error> {
    if errors.is_empty() {
        vec![syn::Error::new(literal.span, message)]
    } else {
        errors
    }
}

/// Only the errors, as an expression of the compiler's error type: `(compile_error!(..))`
/// each, the last as the block's value, so that `.fetch_all(..)` after it adds no error.
fn errors_only(errors: &[syn::Error]) -> TokenStream {
    let mut parts: Vec<TokenStream2> = Vec::new();
    for error in errors {
        for one in error.clone() {
            let message = one.to_string();
            let span = one.span();
            parts.push(quote_spanned!(span=> (::core::compile_error!(#message))));
        }
    }
    if parts.is_empty() {
        parts.push(quote!((::core::compile_error!("hc_query! failed"))));
    }
    let last = parts.pop();
    quote!({ #( #parts; )* #last }).into()
}

/// One field of the row struct.
struct Field {
    ident: proc_macro2::Ident,
    /// The column name as PostgreSQL returns it (the alias with its override).
    column: String,
    /// The field's type.
    ty: TokenStream2,
    /// The type as shown in a run-time error.
    shown: String,
    /// Whether the type is the user's (`AS "col: Type"`), which may lack `Debug`, `Clone`...
    written: bool,
}

/// One parameter: the Rust types it accepts, or any `ToSql` (a cast outside the table).
struct ParamType {
    number: usize,
    /// `None`: any `ToSql` (the SQL casts it to a type outside the table).
    rust: Option<RustType>,
    /// What it stands for, for the error message (`account.billingcountry`).
    what: String,
}

/// One snapshot: (environment, file as shown, the snapshot).
type Loaded = (String, String, Arc<Result<Snapshot, String>>);

/// The snapshots and the configuration the types are decided from.
struct Typer {
    /// Every snapshot of the directory, loaded, by environment name.
    snapshots: Vec<Loaded>,
    config: TypesConfig,
}

impl Typer {
    fn new(selection: &Selection) -> Result<Typer, String> {
        // The build script's types index, when fresh and every snapshot read: no snapshot is
        // parsed (`column_types` asks the index). Else the snapshots, as before.
        if snapshots::types_index(selection)
            .is_some_and(|index| index.envs().iter().all(|env| env.readable()))
        {
            return Ok(Typer {
                snapshots: Vec::new(),
                config: types_config()?,
            });
        }
        let mut snapshots = Vec::new();
        for snapshot in selection.selected.iter().chain(&selection.others) {
            let loaded = snapshots::full(snapshot);
            if let Err(message) = loaded.as_ref() {
                return Err(format!(
                    "hc_query! decides types from every snapshot, and {} cannot be read: {message}",
                    snapshot.display
                ));
            }
            snapshots.push((snapshot.env.clone(), snapshot.display.clone(), loaded));
        }
        // By environment name: every build words a drift the same way.
        snapshots.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Typer {
            snapshots,
            config: types_config()?,
        })
    }

    /// Each environment's type of `table.column`, for every snapshot that maps it; and
    /// whether any says it is nullable.
    fn column_types(&self, table: &str, column: &str) -> (Vec<EnvType>, bool) {
        if self.snapshots.is_empty() {
            let selection = snapshots::selection();
            if let Some(index) = selection
                .as_ref()
                .as_ref()
                .ok()
                .and_then(snapshots::types_index)
            {
                return index.column_types(table, column);
            }
        }
        let mut envs = Vec::new();
        let mut nullable = false;
        for (env, display, snapshot) in &self.snapshots {
            let Ok(snapshot) = snapshot.as_ref() else {
                continue;
            };
            if let Some(found) = snapshot.table(table).and_then(|t| t.column(column)) {
                nullable |= found.nullable;
                envs.push(EnvType {
                    env: env.clone(),
                    display: display.clone(),
                    spelling: found.data_type.clone(),
                });
            }
        }
        (envs, nullable)
    }

    fn outputs(
        &self,
        shape: &Shape,
        literal: &SqlLiteral,
        errors: &mut Vec<syn::Error>,
    ) -> Vec<Field> {
        let mut fields: Vec<Field> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (n, output) in shape.outputs.iter().enumerate() {
            let place = || literal.source().place(output.at.clone());
            let fail = |errors: &mut Vec<syn::Error>, message: String| {
                errors.push(syn::Error::new(
                    literal.span,
                    format!("{message}\n  = note: {}", place()),
                ));
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
            let ident = match field_ident(&parsed.name) {
                Some(ident) if !output.unnamed => ident,
                _ => {
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
            };
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
            match self.output_type(output, &parsed, shape.outer_join) {
                Ok((ty, shown)) => fields.push(Field {
                    ident,
                    column: output.name.clone(),
                    ty,
                    shown,
                    written: parsed.ty.is_some(),
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

    /// The field type of one output: (tokens, as shown).
    fn output_type(
        &self,
        output: &OutputColumn,
        parsed: &Override,
        outer_join: bool,
    ) -> Result<(TokenStream2, String), String> {
        let written = match &parsed.ty {
            Some(text) => Some(syn::parse_str::<syn::Type>(text).map_err(|err| {
                format!(
                    "`{}` in the alias `{}` is not a Rust type: {err}",
                    text, output.name
                )
            })?),
            None => None,
        };
        let (inner, nullable): (Option<RustType>, bool) = match &output.source {
            OutputSource::Column { table, column } => {
                let subject = format!("{table}.{column}");
                let (envs, nullable_anywhere) = self.column_types(table, column);
                let nullable = !is_never_null(column, nullable_anywhere) || outer_join;
                match (&parsed.ty, written.is_some()) {
                    (Some(text), true) => {
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
                    _ => (
                        Some(decide(&subject, &envs, &self.config).map_err(|e| e.to_string())?),
                        nullable,
                    ),
                }
            }
            OutputSource::Known { pg, never_null } => {
                if let Some(text) = parsed.ty.as_deref().filter(|_| written.is_some()) {
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
                    let rust = rust_type(*pg, &self.config).map_err(|err| match err {
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
            OutputSource::CastOutsideTable { .. } | OutputSource::Unknown if written.is_some() => {
                (None, true)
            }
            OutputSource::CastOutsideTable { written } => {
                return Err(format!(
                    "output `{}` is cast to {written}, which hc-schema does not map to a Rust \
                     type; give it one in the alias: `AS \"{}: Type\"`",
                    parsed.name, parsed.name
                ))
            }
            OutputSource::Unknown | OutputSource::Wildcard => {
                return Err(format!(
                    "the type of output `{}` cannot be known from the snapshots (an expression, \
                     a function, or a column of a subquery or of a table that is not Heroku \
                     Connect's): give it one in the alias: `AS \"{}: Type\"` (`\"{}!: Type\"` \
                     when it is never NULL)",
                    parsed.name, parsed.name, parsed.name
                ))
            }
        };
        let nullable = match parsed.null {
            Some(forced) => forced,
            None => nullable,
        };
        let (inner_tokens, inner_shown) = match (&written, inner) {
            (Some(ty), _) => (
                quote!(#ty),
                parsed.ty.clone().unwrap_or_default().replace(' ', ""),
            ),
            (None, Some(rust)) => (
                rust.path()
                    .parse::<TokenStream2>()
                    .map_err(|e| e.to_string())?,
                rust.display(),
            ),
            (None, None) => return Err("no type".to_string()),
        };
        Ok(if nullable {
            (
                quote!(::core::option::Option<#inner_tokens>),
                format!("Option<{inner_shown}>"),
            )
        } else {
            (inner_tokens, inner_shown)
        })
    }

    fn params(
        &self,
        shape: &Shape,
        literal: &SqlLiteral,
        errors: &mut Vec<syn::Error>,
    ) -> Vec<ParamType> {
        let mut params = Vec::new();
        for param in &shape.params {
            let number = param.number;
            let mut fail = |message: String| {
                let place = if param.at.is_empty() {
                    String::new()
                } else {
                    format!("\n  = note: {}", literal.source().place(param.at.clone()))
                };
                errors.push(syn::Error::new(literal.span, format!("{message}{place}")));
            };
            if param.sources.is_empty() && param.at.is_empty() {
                fail(format!(
                    "parameter ${number} is not in the SQL, which uses a higher number: \
                     number the parameters from $1 without gaps"
                ));
                continue;
            }
            if param.sources.is_empty() {
                fail(format!(
                    "the type of parameter ${number} cannot be inferred from where it stands: \
                     cast it (`${number}::text`, `${number}::float8`, ...), or compare it with \
                     a column of the statement's own tables"
                ));
                params.push(ParamType {
                    number,
                    rust: None,
                    what: String::new(),
                });
                continue;
            }
            let mut decided: Vec<(Option<RustType>, String)> = Vec::new();
            let mut failed = false;
            for source in &param.sources {
                let result = match source {
                    ParamSource::Column {
                        table,
                        column,
                        array,
                    } => {
                        let subject = format!("{table}.{column}");
                        let (envs, _) = self.column_types(table, column);
                        decide(&subject, &envs, &self.config)
                            .map_err(|e| format!("parameter ${number}: {e}"))
                            .and_then(|rust| match (rust, array) {
                                (RustType::Scalar(s), true) => Ok(RustType::Vec(s)),
                                (rust, false) => Ok(rust),
                                (RustType::Vec(_), true) => Err(format!(
                                    "parameter ${number}: `= ANY(${number})` over the array \
                                     column `{subject}` is not supported: cast it"
                                )),
                            })
                            .map(|rust| {
                                (
                                    Some(rust),
                                    if *array {
                                        format!("an array of `{subject}`")
                                    } else {
                                        format!("`{subject}`")
                                    },
                                )
                            })
                    }
                    ParamSource::Known(pg) => rust_type(*pg, &self.config)
                        .map(|rust| (Some(rust), pg.family()))
                        .map_err(|err| match err {
                            Unreadable::NeedsOption(option) => {
                                format!("parameter ${number} is {}: {option}", pg.family())
                            }
                            Unreadable::Unknown => {
                                format!("parameter ${number}: {} has no Rust type", pg.family())
                            }
                        }),
                    ParamSource::CastOutsideTable(written) => Ok((None, written.clone())),
                };
                match result {
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
            params.push(ParamType {
                number,
                rust: first.0,
                what: first.1,
            });
        }
        params
    }
}

/// The project's `[types] custom` list (empty when the configuration cannot be read: the
/// selection reports that).
pub(crate) fn custom_types() -> Vec<String> {
    types_config().map(|c| c.custom).unwrap_or_default()
}

/// The project's `[types]`, once per compiler process per crate.
fn types_config() -> Result<TypesConfig, String> {
    static CONFIGS: OnceLock<std::sync::Mutex<HashMap<PathBuf, Result<TypesConfig, String>>>> =
        OnceLock::new();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut configs = CONFIGS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    configs
        .entry(dir.clone())
        .or_insert_with(|| {
            Project::discover(&dir)
                .map(|project| project.config.types)
                .map_err(|err| err.to_string())
        })
        .clone()
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

/// The field named `name` (a raw identifier for a keyword), if a field can be so named.
fn field_ident(name: &str) -> Option<proc_macro2::Ident> {
    let mut chars = name.chars();
    let first = chars.next()?;
    let ok = (first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && name != "_";
    if !ok {
        return None;
    }
    if syn::parse_str::<syn::Ident>(name).is_ok() {
        return Some(proc_macro2::Ident::new(name, Span::call_site()));
    }
    match name {
        "self" | "Self" | "super" | "crate" => None,
        _ => Some(proc_macro2::Ident::new_raw(name, Span::call_site())),
    }
}

fn generate(
    literal: &SqlLiteral,
    shape: &Shape,
    fields: &[Field],
    params: &[ParamType],
    args: &[syn::Expr],
    target: Option<&syn::Path>,
    registration: Option<TokenStream2>,
) -> TokenStream2 {
    let sql = &literal.value;
    let error = quote!(::hc_schema_snapshot::query::QueryError);
    let to_sql = quote!(::postgres::types::ToSql);
    let names: Vec<&proc_macro2::Ident> = fields.iter().map(|f| &f.ident).collect();
    let types: Vec<&TokenStream2> = fields.iter().map(|f| &f.ty).collect();
    // The named form converts each value into the user's field type (`From` allowed).
    let convert = match target {
        Some(_) => quote!(::core::convert::Into::into),
        None => quote!(),
    };
    let reads = fields.iter().enumerate().map(|(index, field)| {
        let ident = &field.ident;
        let ty = &field.ty;
        let column = &field.column;
        let shown = &field.shown;
        // A `match`, not a closure per field: cheaper to compile.
        quote! {
            #ident: match row.try_get::<usize, #ty>(#index) {
                ::core::result::Result::Ok(value) => #convert(value),
                ::core::result::Result::Err(e) => {
                    return ::core::result::Result::Err(#error::column(AT, #column, #shown, e))
                }
            }
        }
    });
    let mut traits = Vec::new();
    let mut generics = Vec::new();
    let mut inputs = Vec::new();
    let mut values = Vec::new();
    for param in params {
        let p = format_ident!("P{}", param.number);
        let value = format_ident!("p{}", param.number);
        let bound = match &param.rust {
            None => quote!(#to_sql + ::core::marker::Sync),
            Some(rust) => {
                let name = format_ident!(
                    "hc_query_parameter_{}_takes_{}",
                    param.number,
                    rust.display()
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                        .collect::<String>()
                );
                let path: TokenStream2 = rust.path().parse().unwrap_or_default();
                let message = format!(
                    "hc_query! parameter ${} stands for {}, read as {}: `{{Self}}` cannot be \
                     bound to it",
                    param.number,
                    param.what,
                    rust.display()
                );
                let label = format!(
                    "expected {} or Option<{}> (or a reference to one)",
                    rust.display(),
                    rust.display()
                );
                // `&str` for a string, a slice for an array.
                let extra = match rust {
                    RustType::Scalar(hc_schema_snapshot::types::RustScalar::String) => {
                        quote!(impl #name for str {})
                    }
                    RustType::Vec(scalar) => {
                        let element: TokenStream2 = scalar.path().parse().unwrap_or_default();
                        quote!(impl #name for [#element] {})
                    }
                    RustType::Scalar(_) => quote!(),
                };
                traits.push(quote! {
                    #[diagnostic::on_unimplemented(message = #message, label = #label)]
                    #[allow(non_camel_case_types)]
                    pub trait #name {}
                    impl #name for #path {}
                    impl<T: ?::core::marker::Sized + #name> #name for &T {}
                    impl<T: #name> #name for ::core::option::Option<T> {}
                    #extra
                });
                quote!(#to_sql + ::core::marker::Sync + #name)
            }
        };
        generics.push(quote!(#p: #bound));
        inputs.push(quote!(#value: &'a #p));
        values.push(quote!(#value as &'a (dyn #to_sql + ::core::marker::Sync)));
    }
    let count = params.len();
    let fetch = if fields.is_empty() {
        quote!()
    } else {
        quote! {
            /// Every row.
            pub fn fetch_all<C: ::postgres::GenericClient>(self, client: &mut C)
                -> ::core::result::Result<::std::vec::Vec<Row>, #error> {
                let rows = client.query(SQL, &self.params).map_err(|e| #error::statement(AT, e))?;
                // A loop, not `collect::<Result<Vec<_>, _>>()`: the iterator adaptors would be
                // instantiated for each query's own row type.
                let mut out = ::std::vec::Vec::with_capacity(rows.len());
                for row in &rows {
                    out.push(read(row)?);
                }
                ::core::result::Result::Ok(out)
            }
            /// Exactly one row (an error for none or several).
            pub fn fetch_one<C: ::postgres::GenericClient>(self, client: &mut C)
                -> ::core::result::Result<Row, #error> {
                let row = client.query_one(SQL, &self.params).map_err(|e| #error::statement(AT, e))?;
                read(&row)
            }
            /// At most one row (an error for several).
            pub fn fetch_optional<C: ::postgres::GenericClient>(self, client: &mut C)
                -> ::core::result::Result<::core::option::Option<Row>, #error> {
                let row = client.query_opt(SQL, &self.params).map_err(|e| #error::statement(AT, e))?;
                match row {
                    ::core::option::Option::Some(row) => read(&row).map(::core::option::Option::Some),
                    ::core::option::Option::None => ::core::result::Result::Ok(::core::option::Option::None),
                }
            }
        }
    };
    let execute = if shape.is_query {
        quote!()
    } else {
        quote! {
            /// Run the statement; the number of rows it changed.
            pub fn execute<C: ::postgres::GenericClient>(self, client: &mut C)
                -> ::core::result::Result<u64, #error> {
                client.execute(SQL, &self.params).map_err(|e| #error::statement(AT, e))
            }
        }
    };
    let read_fn = if fields.is_empty() {
        quote!()
    } else {
        quote! {
            fn read(row: &::postgres::Row) -> ::core::result::Result<Row, #error> {
                ::core::result::Result::Ok(Row { #( #reads, )* })
            }
        }
    };
    // At each argument's span: a value of the wrong type is reported there.
    // The table's types have these; a type of the user's may not.
    let derives = if fields.iter().any(|f| f.written) {
        quote!()
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    let row = match target {
        Some(path) => quote!(type Row = #path;),
        None => quote! {
            /// One row of the query (generated by hc_query!).
            #derives
            #[allow(non_snake_case, dead_code)]
            pub struct Row { #( pub #names: #types, )* }
        },
    };
    let args = args.iter().map(|arg| {
        let span = syn::spanned::Spanned::span(arg);
        quote_spanned!(span=> &(#arg))
    });
    quote! {
        ({
            #row
            #registration
            const SQL: &str = #sql;
            const AT: &str = ::core::concat!(::core::file!(), ":", ::core::line!(), ":", ::core::column!());
            #( #traits )*
            #read_fn
            /// The query with its parameters bound (generated by hc_query!).
            #[must_use = "run it: .fetch_all(&mut client), .fetch_one, .fetch_optional or .execute"]
            pub struct Query<'a> { params: [&'a (dyn #to_sql + ::core::marker::Sync); #count] }
            #[allow(dead_code)]
            impl<'a> Query<'a> {
                #fetch
                #execute
            }
            fn bind<'a, #( #generics ),*>(#( #inputs ),*) -> Query<'a> {
                Query { params: [ #( #values ),* ] }
            }
            bind
        })( #( #args ),* )
    }
}
