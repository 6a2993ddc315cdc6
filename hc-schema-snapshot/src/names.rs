//! Heroku Connect naming rules.
//!
//! Heroku Connect names each table after the Salesforce object's API name in lower case
//! (`Loyalty_Program__c` -> `loyalty_program__c`) and each column after the field's API name in
//! lower case. Requirements and snapshots are therefore compared after [`normalize`].

/// Columns that Heroku Connect itself adds to every mapped table.
pub const SYSTEM_COLUMNS: &[&str] = &[
    "id",
    "sfid",
    "systemmodstamp",
    "isdeleted",
    "_hc_lastop",
    "_hc_err",
];

/// Heroku Connect's bookkeeping tables: they live in the HC schema but are not mapped objects.
pub const BOOKKEEPING_TABLES: &[&str] = &[
    "_hcmeta",
    "_sf_event_log",
    "_trigger_log",
    "_trigger_log_archive",
];

/// The Postgres name Heroku Connect uses for a Salesforce API name (or an already-lowered name).
///
/// ```
/// use hc_schema_snapshot::names::normalize;
/// assert_eq!(normalize("Loyalty_Tier__c"), "loyalty_tier__c");
/// assert_eq!(normalize("account"), "account");
/// ```
pub fn normalize(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// Whether `name` is a name Heroku Connect could have created: a plain lower-case identifier
/// (`account`, `loyalty_tier__c`, `_hc_lastop`). A catalog name that is not (`"Account"`,
/// `" lead"`, `"na-me"`) was created by someone else and never matches a requirement.
///
/// ```
/// use hc_schema_snapshot::names::is_hc_name;
/// assert!(is_hc_name("loyalty_tier__c") && is_hc_name("_hc_err") && is_hc_name("user"));
/// assert!(!is_hc_name("Account") && !is_hc_name(" lead") && !is_hc_name("") && !is_hc_name("1x"));
/// ```
pub fn is_hc_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && !bytes[0].is_ascii_digit()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

/// Whether `name` is a valid environment name: letters, digits, `-` and `_`, not empty. An
/// environment name becomes a file name (`hc-schema/<env>.json`), so nothing else is allowed.
///
/// ```
/// use hc_schema_snapshot::names::is_env_name;
/// assert!(is_env_name("prod") && is_env_name("eu-west_2"));
/// assert!(!is_env_name("") && !is_env_name("../escape") && !is_env_name("/abs/x") && !is_env_name("a b"));
/// ```
pub fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Why application code must not write `column` of a Heroku Connect table, or `None` when it
/// may. Heroku Connect owns these columns: `id` is the table's serial key, `sfid` and
/// `systemmodstamp` come from Salesforce, `_hc_lastop`/`_hc_err` are its sync state, and
/// `isdeleted` is set by the sync (delete a row with `DELETE` instead).
///
/// ```
/// use hc_schema_snapshot::names::system_column_write_reason;
/// assert!(system_column_write_reason("sfid").is_some());
/// assert!(system_column_write_reason("email").is_none());
/// ```
pub fn system_column_write_reason(column: &str) -> Option<&'static str> {
    Some(match column {
        "id" => "Heroku Connect's serial key of the table; Postgres assigns it",
        "sfid" => "the Salesforce record id; Heroku Connect fills it in after the record is created in Salesforce (match rows on an external id field instead)",
        "systemmodstamp" => "set by Salesforce on every change and synced back by Heroku Connect",
        "_hc_lastop" => "Heroku Connect's sync state of the row",
        "_hc_err" => "Heroku Connect's sync error of the row",
        "isdeleted" => "set by the sync when the record is deleted in Salesforce; to delete a record, DELETE the row",
        _ => return None,
    })
}

/// Whether `column` (a Postgres column name) is one of Heroku Connect's own columns.
///
/// ```
/// use hc_schema_snapshot::names::is_system_column;
/// assert!(is_system_column("sfid"));
/// assert!(!is_system_column("name"));
/// ```
pub fn is_system_column(column: &str) -> bool {
    SYSTEM_COLUMNS.contains(&column)
}

/// Whether `table` (a Postgres table name) is one of Heroku Connect's bookkeeping tables.
pub fn is_bookkeeping_table(table: &str) -> bool {
    BOOKKEEPING_TABLES.contains(&table)
}

/// Whether a Postgres column name looks like a Salesforce custom field (`__c` suffix).
pub fn is_custom(name: &str) -> bool {
    name.ends_with("__c")
}

/// A best guess of the Salesforce API name for a Postgres name, used in advice when no
/// snapshot knows the real one: `loyalty_tier__c` -> `Loyalty_Tier__c`, `name` -> `Name`.
///
/// ```
/// use hc_schema_snapshot::names::guess_api_name;
/// assert_eq!(guess_api_name("loyalty_tier__c"), "Loyalty_Tier__c");
/// assert_eq!(guess_api_name("account"), "Account");
/// ```
pub fn guess_api_name(name: &str) -> String {
    let (stem, suffix) = match name.strip_suffix("__c") {
        Some(stem) => (stem, "__c"),
        None => (name, ""),
    };
    let words: Vec<String> = stem
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    words.join("_") + suffix
}

/// Quote a Postgres identifier when it needs quoting (`user` -> `"user"`).
pub fn quote_ident(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && !RESERVED.contains(&name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Postgres reserved words that commonly collide with Salesforce object or field names.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_date",
    "current_role",
    "current_time",
    "current_user",
    "default",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "leading",
    "limit",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "primary",
    "references",
    "select",
    "some",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "when",
    "where",
    "with",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_lowers_salesforce_casing() {
        assert_eq!(normalize("Account"), "account");
        assert_eq!(normalize("Loyalty_Program__c"), "loyalty_program__c");
        assert_eq!(normalize("  Type "), "type");
    }

    #[test]
    fn api_name_guess_round_trips_through_normalize() {
        for name in ["loyalty_tier__c", "name", "billing_city", "x__c"] {
            assert_eq!(normalize(&guess_api_name(name)), name);
        }
    }

    #[test]
    fn quoting_follows_postgres_rules() {
        assert_eq!(quote_ident("account"), "account");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("Odd\"Name"), "\"Odd\"\"Name\"");
        assert_eq!(quote_ident("1abc"), "\"1abc\"");
    }

    #[test]
    fn system_and_bookkeeping_names() {
        assert!(is_system_column("_hc_lastop"));
        assert!(is_bookkeeping_table("_trigger_log_archive"));
        assert!(!is_bookkeeping_table("account"));
        assert!(is_custom("loyalty_tier__c"));
    }
}
