//! loyalty-app: prints customers' loyalty tiers from Heroku Connect.
//!
//! ```text
//! loyalty-app tiers             print every customer's loyalty tier (and billing city)
//! loyalty-app contacts          print the contacts to notify
//! loyalty-app set-email S E     correct the e-mail address of contact S (a write)
//! loyalty-app points S          print the loyalty points of account S (a typed declaration)
//! loyalty-app tier-report       print accounts and contacts per tier (typed rows, hc_query!)
//! loyalty-app verify-schema     release phase: check the live schema against this binary
//! loyalty-app requirements      print what this binary needs (JSON)
//! ```
//!
//! The database is `DATABASE_URL` (Heroku's), TLS as Heroku needs (`sslmode=require` unless the
//! URL says otherwise); the Heroku Connect schema of the commands is `HC_SCHEMA_NAME`, else
//! `salesforce` (`verify-schema` checks the schema the build checked, compiled in).

mod contacts;
mod tier_report;
mod tiers;

use std::process::ExitCode;

use hc_schema_snapshot::fetch::{self, ConnectOptions, DatabaseUrl, SslMode};
use hc_schema_snapshot::{manifest::Manifest, registry, verify};

const USAGE: &str = "usage: loyalty-app <tiers|contacts|tier-report|set-email <sfid> <email>|points <sfid>|verify-schema|requirements>

  tiers           print every customer's loyalty tier
  contacts        print the contacts to notify about tier changes
  tier-report     print how many accounts and contacts each tier has, and whom to notify
  set-email       correct a contact's e-mail address (writes through Heroku Connect)
  points          print an account's loyalty points
  verify-schema   check the live DATABASE_URL schema against the columns this binary needs
                  (exit 0 ok, 1 columns missing, 2 connection or input error); run it in
                  Heroku's release phase: `release: ./target/release/loyalty-app verify-schema`
  requirements    print the columns this binary needs, as JSON";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    match command.as_str() {
        "tiers" => run(print_tiers),
        "contacts" => run(print_contacts),
        "set-email" => run(set_email),
        "points" => run(print_points),
        "tier-report" => run(print_tier_report),
        "verify-schema" => verify_schema(),
        "requirements" => {
            let manifest = Manifest::from_usages(&registry::usages());
            println!("{:#}", manifest.to_json());
            ExitCode::SUCCESS
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn options() -> Result<ConnectOptions, String> {
    let url = std::env::var("DATABASE_URL").map_err(|_| {
        "DATABASE_URL is not set (Heroku sets it for the attached database)".to_string()
    })?;
    let mut options = ConnectOptions::new(url, "the DATABASE_URL variable");
    // Heroku Postgres requires TLS and its certificates are not publicly verifiable: `require`
    // unless the URL itself sets `sslmode` (parsed, so a password holding the text `sslmode=`
    // does not switch TLS off).
    let parsed = DatabaseUrl::parse(&options.url, &options.origin).map_err(|e| e.to_string())?;
    if parsed.sslmode.is_none() {
        options.sslmode = Some(SslMode::Require);
    }
    if let Ok(mode) = std::env::var("PGSSLMODE") {
        options.sslmode = Some(mode.parse()?);
    }
    Ok(options)
}

/// A query's error as the server gave it (`column a.x does not exist (SQLSTATE 42703)`), not
/// the driver's bare "db error".
fn db_error(error: postgres::Error) -> String {
    describe(&error)
}

/// An `hc_query!` error: where the query is written (and the column, for a read), and the
/// server's message as [`db_error`] words it.
fn query_error(error: hc_schema_snapshot::query::QueryError) -> String {
    use std::error::Error as _;
    match error
        .source()
        .and_then(|e| e.downcast_ref::<postgres::Error>())
    {
        Some(db) if db.as_db_error().is_some() => {
            format!("hc_query! at {}: {}", error.location(), describe(db))
        }
        _ => error.to_string(),
    }
}

fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => error.to_string(),
    }
}

fn schema() -> String {
    std::env::var("HC_SCHEMA_NAME").unwrap_or_else(|_| "salesforce".to_string())
}

fn run(action: fn(&mut postgres::Client, &str) -> Result<(), String>) -> ExitCode {
    let result = options()
        .and_then(|options| fetch::connect(&options).map_err(|e| e.to_string()))
        .and_then(|mut connection| action(&mut connection.client, &schema()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn print_tiers(client: &mut postgres::Client, schema: &str) -> Result<(), String> {
    for customer in tiers::load_tiers(client, schema).map_err(db_error)? {
        println!(
            "{}\t{}\t{}\t{}",
            customer.sfid,
            customer.name,
            customer.tier.as_deref().unwrap_or("-"),
            customer.city.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

fn print_contacts(client: &mut postgres::Client, schema: &str) -> Result<(), String> {
    for contact in contacts::ContactEmail::load(client, schema).map_err(db_error)? {
        let kind = contact.account_type.as_deref().unwrap_or("-");
        println!("{}\t{}\t{}", contact.account_sfid, kind, contact.email);
    }
    Ok(())
}

fn set_email(client: &mut postgres::Client, schema: &str) -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(2).collect();
    let [sfid, email] = args.as_slice() else {
        return Err("usage: loyalty-app set-email <contact sfid> <email>".into());
    };
    let updated = contacts::set_email(client, schema, sfid, email).map_err(db_error)?;
    println!("{updated} contact(s) updated");
    Ok(())
}

fn print_points(client: &mut postgres::Client, schema: &str) -> Result<(), String> {
    let Some(sfid) = std::env::args().nth(2) else {
        return Err("usage: loyalty-app points <account sfid>".into());
    };
    match tiers::loyalty_points(client, schema, &sfid).map_err(db_error)? {
        Some(points) => println!("{points}"),
        None => println!("-"),
    }
    Ok(())
}

fn print_tier_report(client: &mut postgres::Client, _schema: &str) -> Result<(), String> {
    for line in tier_report::tier_counts(client).map_err(query_error)? {
        let tier = line.tier.as_deref().unwrap_or("-");
        println!(
            "{tier}\t{} account(s)\t{} contact(s)",
            line.accounts, line.contacts
        );
    }
    for customer in tiers::load_tiers(client, "salesforce").map_err(db_error)? {
        let emails = tier_report::contacts_of(client, &customer.sfid).map_err(query_error)?;
        if !emails.is_empty() {
            println!("{}\tnotify: {}", customer.name, emails.join(", "));
        }
    }
    Ok(())
}

fn verify_schema() -> ExitCode {
    // One call: DATABASE_URL with TLS as Heroku needs, the schema the build checked, the requirements
    // compiled into this binary; 0 ok, 1 a requirement fails, 2 connection or setup error
    // (nothing registered is an error, never a pass).
    verify::release_phase(&registry::usages())
}
