//! The generic runtime of `hc_query!` (feature `query`): what every expansion would otherwise
//! generate for itself. One query type per kind of statement, generic over the row and the
//! number of parameters ([`Query`] for a `SELECT`, [`Statement`] for a write without
//! `RETURNING`, [`Returning`] for a write with it); one generic function that reads a column
//! ([`get`]); one generic trait that says which Rust values a parameter takes ([`Takes`]).
//! rustc type-checks these once per crate, and the expansion keeps only what is the query's
//! own: its SQL, its row reader (one [`get`] call per column) and its parameters' checks.
//!
//! What is generic over the row type is compiled (monomorphised, then through LLVM) once per
//! query, and that, not type checking, was most of `hc_query!`'s build cost: so each method
//! here is a one-line call of helpers generic over the client alone (compiled once per crate)
//! and of a plain loop over the rows (`collect` into a `Result` cost about twenty functions
//! per row type, twice what a hand-written `.map(..).collect()` costs), and the expansion
//! builds the query types with a struct literal (no constructor per query).
//!
//! This module names the `postgres` crate (0.19; cargo unifies it with the app's own), so it
//! is behind the feature `query`; the app enables it where it uses `hc_query!`.

// The fields are deprecated for users of the query types, not for their own methods.
#![allow(deprecated)]

use std::marker::PhantomData;

use postgres::types::{FromSql, ToSql};
use postgres::{GenericClient, Row};

use super::QueryError;

/// A bound parameter, as the `postgres` crate takes it.
pub type Param<'a> = &'a (dyn ToSql + Sync);

/// The row reader of one query: a row into its struct.
pub type Read<R> = fn(&Row) -> Result<R, QueryError>;

/// A query (`SELECT`, `WITH ... SELECT`) with its parameters bound, from `hc_query!`: run it
/// with [`fetch_all`](Query::fetch_all), [`fetch_one`](Query::fetch_one) or
/// [`fetch_optional`](Query::fetch_optional).
///
/// The generated code builds it with a struct literal (no constructor to instantiate per
/// query); its fields are not part of the API, and deprecated so that code that reads or
/// replaces one (a parameter the macro did not check, other SQL) gets a warning.
#[must_use = "run it: .fetch_all(&mut client), .fetch_one or .fetch_optional"]
pub struct Query<'a, R, const N: usize> {
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub sql: &'static str,
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub at: &'static str,
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub params: [Param<'a>; N],
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub read: Read<R>,
}

/// A write without `RETURNING` (`INSERT`, `UPDATE`, `DELETE`, `MERGE`) with its parameters
/// bound, from `hc_query!`: run it with [`execute`](Statement::execute).
#[must_use = "run it: .execute(&mut client)"]
pub struct Statement<'a, const N: usize> {
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub sql: &'static str,
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub at: &'static str,
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub params: [Param<'a>; N],
}

/// A write with `RETURNING` with its parameters bound, from `hc_query!`: its rows with
/// [`fetch_all`](Returning::fetch_all), [`fetch_one`](Returning::fetch_one) or
/// [`fetch_optional`](Returning::fetch_optional), or the number of rows changed with
/// [`execute`](Returning::execute).
#[must_use = "run it: .fetch_all(&mut client), .fetch_one, .fetch_optional or .execute"]
pub struct Returning<'a, R, const N: usize> {
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub sql: &'static str,
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub at: &'static str,
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub params: [Param<'a>; N],
    #[doc(hidden)]
    #[deprecated(
        note = "internal to hc_query!: a field replaced after the macro built the query bypasses its checks"
    )]
    pub read: Read<R>,
}

// Per query (per row type `R`) rustc compiles each method used below, one call of the helpers
// after them: `all`, `one`, `optional` and `execute` generic over the client only (once per
// crate), `read_all`, `read_one` and `read_optional` over `R` alone.

impl<'a, R, const N: usize> Query<'a, R, N> {
    /// Every row.
    pub fn fetch_all<C: GenericClient>(self, client: &mut C) -> Result<Vec<R>, QueryError> {
        read_all(all(client, self.sql, self.at, &self.params), self.read)
    }

    /// Exactly one row (an error for none or several).
    pub fn fetch_one<C: GenericClient>(self, client: &mut C) -> Result<R, QueryError> {
        read_one(one(client, self.sql, self.at, &self.params), self.read)
    }

    /// At most one row (an error for several).
    pub fn fetch_optional<C: GenericClient>(self, client: &mut C) -> Result<Option<R>, QueryError> {
        read_optional(optional(client, self.sql, self.at, &self.params), self.read)
    }
}

impl<'a, const N: usize> Statement<'a, N> {
    /// Run the statement; the number of rows it changed.
    pub fn execute<C: GenericClient>(self, client: &mut C) -> Result<u64, QueryError> {
        execute(client, self.sql, self.at, &self.params)
    }
}

impl<'a, R, const N: usize> Returning<'a, R, N> {
    /// Every row it returns.
    pub fn fetch_all<C: GenericClient>(self, client: &mut C) -> Result<Vec<R>, QueryError> {
        read_all(all(client, self.sql, self.at, &self.params), self.read)
    }

    /// Exactly one row (an error for none or several).
    pub fn fetch_one<C: GenericClient>(self, client: &mut C) -> Result<R, QueryError> {
        read_one(one(client, self.sql, self.at, &self.params), self.read)
    }

    /// At most one row (an error for several).
    pub fn fetch_optional<C: GenericClient>(self, client: &mut C) -> Result<Option<R>, QueryError> {
        read_optional(optional(client, self.sql, self.at, &self.params), self.read)
    }

    /// Run the statement without reading what it returns; the number of rows it changed.
    pub fn execute<C: GenericClient>(self, client: &mut C) -> Result<u64, QueryError> {
        execute(client, self.sql, self.at, &self.params)
    }
}

fn all<C: GenericClient>(
    client: &mut C,
    sql: &str,
    at: &'static str,
    params: &[Param<'_>],
) -> Result<Vec<Row>, QueryError> {
    client
        .query(sql, params)
        .map_err(|e| QueryError::statement(at, e))
}

fn one<C: GenericClient>(
    client: &mut C,
    sql: &str,
    at: &'static str,
    params: &[Param<'_>],
) -> Result<Row, QueryError> {
    client
        .query_one(sql, params)
        .map_err(|e| QueryError::statement(at, e))
}

fn optional<C: GenericClient>(
    client: &mut C,
    sql: &str,
    at: &'static str,
    params: &[Param<'_>],
) -> Result<Option<Row>, QueryError> {
    client
        .query_opt(sql, params)
        .map_err(|e| QueryError::statement(at, e))
}

fn execute<C: GenericClient>(
    client: &mut C,
    sql: &str,
    at: &'static str,
    params: &[Param<'_>],
) -> Result<u64, QueryError> {
    client
        .execute(sql, params)
        .map_err(|e| QueryError::statement(at, e))
}

/// Every row read, the first error returned. A `match`, not `?`: `?` would compile its
/// `FromResidual` once more per row type.
#[allow(clippy::question_mark)]
fn read_all<R>(rows: Result<Vec<Row>, QueryError>, read: Read<R>) -> Result<Vec<R>, QueryError> {
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return Err(e),
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        match read(row) {
            Ok(value) => out.push(value),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn read_one<R>(row: Result<Row, QueryError>, read: Read<R>) -> Result<R, QueryError> {
    match row {
        Ok(row) => read(&row),
        Err(e) => Err(e),
    }
}

fn read_optional<R>(
    row: Result<Option<Row>, QueryError>,
    read: Read<R>,
) -> Result<Option<R>, QueryError> {
    match row {
        Ok(Some(row)) => match read(&row) {
            Ok(value) => Ok(Some(value)),
            Err(e) => Err(e),
        },
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Column `index` (`column` as PostgreSQL names it) of `row` read with the checked `try_get`
/// into `T` (`shown` in an error), for the generated row reader of a query written at `at`.
#[doc(hidden)]
pub fn get<'r, T: FromSql<'r>>(
    row: &'r Row,
    index: usize,
    column: &'static str,
    shown: &'static str,
    at: &'static str,
) -> Result<T, QueryError> {
    row.try_get(index)
        .map_err(|e| QueryError::column(at, column, shown, e))
}

/// A field of the user's struct (the named form) filled from output column `I` (1-based) of
/// the query, read as `C`: any type with `From<C>`. The trait (not a plain `From` bound) is
/// for the message, which names the column and both types.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "hc_query! cannot fill a field of type `{Self}` from the query's output column {I}, read as `{C}`",
    label = "output column {I} is read as `{C}`; the field is `{Self}`, which has no `From<{C}>`",
    note = "the named form fills each field of your struct from the output column of the same \
            name: change the field's type, or the column's with `AS \"name: Type\"` in the SQL"
)]
pub trait Fill<C, const I: usize>: Sized {
    /// The field's value.
    fn fill(value: C) -> Self;
}

impl<C, F: From<C>, const I: usize> Fill<C, I> for F {
    #[inline]
    fn fill(value: C) -> F {
        F::from(value)
    }
}

/// [`Fill`] `value` into a field (the generated row reader's call).
#[doc(hidden)]
#[inline]
pub fn fill<F: Fill<C, I>, C, const I: usize>(value: C) -> F {
    F::fill(value)
}

/// The Rust type `X` a parameter is read as, in [`Takes`].
#[doc(hidden)]
pub struct Is<X: ?Sized>(PhantomData<X>);

/// `Self` (an argument's type) can be bound to a parameter read as `X` (`Is<f64>`): `X`,
/// `Option<X>` and references to them, two levels deep (`&X`, `&&X`, `Option<&X>`,
/// `&Option<X>`, `&Option<&X>`), `&str` for `String` and a slice for a `Vec` (in the same
/// places). The generated code checks each parameter through a trait of its own (whose message
/// names the parameter and its column), implemented for every type that takes the parameter's
/// type here.
#[doc(hidden)]
pub trait Takes<X: ?Sized> {}

impl<X> Takes<Is<X>> for X {}
impl<X> Takes<Is<X>> for &X {}
impl<X> Takes<Is<X>> for &&X {}
impl<X> Takes<Is<X>> for Option<X> {}
impl<X> Takes<Is<X>> for Option<&X> {}
impl<X> Takes<Is<X>> for &Option<X> {}
impl<X> Takes<Is<X>> for &Option<&X> {}
impl Takes<Is<String>> for &str {}
impl Takes<Is<String>> for &&str {}
impl Takes<Is<String>> for Option<&str> {}
impl Takes<Is<String>> for &Option<&str> {}
impl<E> Takes<Is<Vec<E>>> for &[E] {}
impl<E> Takes<Is<Vec<E>>> for &&[E] {}
impl<E> Takes<Is<Vec<E>>> for Option<&[E]> {}
impl<E> Takes<Is<Vec<E>>> for &Option<&[E]> {}
