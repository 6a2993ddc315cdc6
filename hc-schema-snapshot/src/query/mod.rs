//! The run-time part of `hc_query!` (crate `hc-schema-macro`): the error its generated code
//! returns ([`QueryError`], standard library only, always compiled) and, behind the feature
//! `query`, the generic runtime the generated code runs on ([`rt`], which names the `postgres`
//! crate).
//!
//! Why a runtime module at all: `postgres::Error` cannot carry context, and tokio-postgres
//! 0.7.15 dropped the Rust and Postgres type names from its own "error deserializing column"
//! message (rust-postgres#1284). A type generated per query would be unnameable and repeated
//! in every expansion, and rustc type-checks every copy: an expansion that carried its own
//! query type, `fetch_*` methods and parameter impls cost 1.77x the hand-written code's
//! rebuild. So the generated code returns this [`QueryError`] (where the query is written,
//! which column, which Rust type was expected, and the `postgres::Error` as its
//! [`source`](std::error::Error::source): downcast it to read the SQLSTATE), and builds one of
//! [`rt`]'s generic types, which rustc checks once per crate.

use std::error::Error;
use std::fmt;

#[cfg(feature = "query")]
pub mod rt;

/// Expands to nothing with the feature `query`; without it, to an error saying to enable it
/// (the first thing `hc_query!`'s expansion calls, so that its first error says what to do).
#[cfg(feature = "query")]
#[doc(hidden)]
#[macro_export]
macro_rules! __hc_query_runtime {
    () => {};
}

/// Expands to nothing with the feature `query`; without it, to an error saying to enable it
/// (the first thing `hc_query!`'s expansion calls, so that its first error says what to do).
#[cfg(not(feature = "query"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __hc_query_runtime {
    () => {
        ::core::compile_error!(
            "hc_query! runs on hc-schema-snapshot's `query` feature, which this crate does not \
             enable: in Cargo.toml, `hc-schema-snapshot = { version = \"0.1\", features = \
             [\"query\"] }` under [dependencies]"
        );
    };
}

/// An error of a query run through `hc_query!`.
#[derive(Debug)]
pub struct QueryError {
    location: &'static str,
    column: Option<&'static str>,
    expected: Option<&'static str>,
    source: Box<dyn Error + Send + Sync + 'static>,
}

impl QueryError {
    /// The query failed (prepare, bind, execute, or the number of rows), at `location`.
    #[doc(hidden)]
    pub fn statement(location: &'static str, source: impl Error + Send + Sync + 'static) -> Self {
        QueryError {
            location,
            column: None,
            expected: None,
            source: Box::new(source),
        }
    }

    /// Reading `column` into `expected` failed (a type the database does not have, a NULL).
    #[doc(hidden)]
    pub fn column(
        location: &'static str,
        column: &'static str,
        expected: &'static str,
        source: impl Error + Send + Sync + 'static,
    ) -> Self {
        QueryError {
            location,
            column: Some(column),
            expected: Some(expected),
            source: Box::new(source),
        }
    }

    /// Where the query is written (`src/report.rs:12:16`).
    pub fn location(&self) -> &'static str {
        self.location
    }

    /// The output column being read, when the error is about one.
    pub fn column_name(&self) -> Option<&'static str> {
        self.column
    }

    /// The Rust type the column was read into, when the error is about a column.
    pub fn expected(&self) -> Option<&'static str> {
        self.expected
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "hc_query! at {}", self.location)?;
        if let (Some(column), Some(expected)) = (self.column, self.expected) {
            write!(f, ": reading column `{column}` as {expected}")?;
        }
        write!(f, ": {}", self.source)?;
        // The cause's own cause (postgres's WrongType names both types).
        if let Some(cause) = self.source.source() {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl Error for QueryError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(self.source.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_location_column_and_type() {
        let io = std::io::Error::other("WasNull");
        let err = QueryError::column("src/a.rs:3:5", "tier", "Option<String>", io);
        assert_eq!(
            err.to_string(),
            "hc_query! at src/a.rs:3:5: reading column `tier` as Option<String>: WasNull"
        );
        assert!(err.source().is_some());
        let err = QueryError::statement("src/a.rs:3:5", std::io::Error::other("gone"));
        assert_eq!(err.to_string(), "hc_query! at src/a.rs:3:5: gone");
    }
}
