//! Heroku-Connect-shaped fixture schemas, written by this project.

/// DDL shaped like Heroku Connect output: system columns, bookkeeping tables, a quoted `"user"`
/// table, a `type` column, and a second, non-HC schema (`public`) that must be ignored.
pub const HC_DDL: &str = r#"
CREATE SCHEMA salesforce;
CREATE TABLE salesforce._hcmeta (id serial PRIMARY KEY, hcver integer, org_id varchar(50), details text);
CREATE TABLE salesforce._sf_event_log (id serial PRIMARY KEY, table_name varchar(128), action varchar(7), synced_at timestamptz DEFAULT now(), sf_timestamp timestamptz, sfid varchar(20), record text, processed boolean);
CREATE TABLE salesforce._trigger_log (id serial PRIMARY KEY, txid bigint, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), processed_at timestamptz, processed_tx bigint, state varchar(8), action varchar(7), table_name varchar(128), record_id integer, sfid varchar(18), old text, values text, sf_result integer, sf_message text);
CREATE TABLE salesforce._trigger_log_archive (LIKE salesforce._trigger_log);
CREATE TABLE salesforce.account (
    id serial PRIMARY KEY,
    sfid varchar(18) UNIQUE,
    systemmodstamp timestamp,
    isdeleted boolean,
    _hc_lastop varchar(32),
    _hc_err text,
    name varchar(255),
    type varchar(255),
    billingcity varchar(40),
    createddate timestamp
);
CREATE TABLE salesforce.contact (
    id serial PRIMARY KEY,
    sfid varchar(18) UNIQUE,
    systemmodstamp timestamp,
    isdeleted boolean,
    _hc_lastop varchar(32),
    _hc_err text,
    email varchar(80),
    accountid varchar(18),
    lastname varchar(80)
);
CREATE TABLE salesforce."user" (
    id serial PRIMARY KEY,
    sfid varchar(18) UNIQUE,
    systemmodstamp timestamp,
    isdeleted boolean,
    _hc_lastop varchar(32),
    _hc_err text,
    username varchar(80),
    isactive boolean
);
CREATE TABLE public.account (id serial PRIMARY KEY, internal_notes text);
CREATE TABLE public.app_settings (key text PRIMARY KEY, value text);
INSERT INTO salesforce.account (sfid, name, type, isdeleted) VALUES
    ('001000000000001AAA', 'Acme', 'Customer - Direct', false),
    ('001000000000002AAA', 'Globex', 'Prospect', false);
INSERT INTO salesforce.contact (sfid, email, accountid, isdeleted) VALUES
    ('003000000000001AAA', 'ops@acme.example', '001000000000001AAA', false);
"#;

/// The DDL that maps `account.loyalty_tier__c` (what the test org has and prod lacks).
pub const ADD_LOYALTY_TIER: &str =
    "ALTER TABLE salesforce.account ADD COLUMN loyalty_tier__c varchar(255); \
     UPDATE salesforce.account SET loyalty_tier__c = 'Gold' WHERE name = 'Acme';";

/// A database with [`HC_DDL`] loaded; returns its name.
pub fn hc_database(prefix: &str) -> String {
    let name = crate::pg::create_database(prefix);
    crate::pg::admin(&name)
        .batch_execute(HC_DDL)
        .expect("load the HC fixture DDL");
    name
}

/// A Heroku Connect mapping export, as `heroku connect:export` writes it.
pub const EXPORT: &str = r#"{
  "connection": {
    "app_name": "loyalty-prod",
    "organization_id": "00D000000000001EAA",
    "exported_at": "2026-11-20T10:00:00.000000+00:00",
    "features": {"disable_bulk_writes": false, "poll_db_no_merge": true, "poll_external_ids": false, "rest_count_only": false},
    "api_version": "59.0",
    "name": "loyalty-prod",
    "logplex_log_enabled": false
  },
  "mappings": [
    {
      "object_name": "Account",
      "config": {
        "access": "read_only",
        "sf_notify_enabled": true,
        "sf_polling_seconds": 600,
        "sf_max_daily_api_calls": 30000,
        "fields": {"BillingCity": {}, "CreatedDate": {}, "Id": {}, "IsDeleted": {}, "Name": {}, "SystemModstamp": {}, "Type": {}},
        "indexes": {"Id": {"unique": true}, "SystemModstamp": {"unique": false}}
      }
    },
    {
      "object_name": "Contact",
      "config": {
        "access": "read_write",
        "sf_notify_enabled": false,
        "sf_polling_seconds": 600,
        "sf_max_daily_api_calls": 30000,
        "fields": {"AccountId": {}, "Email": {}, "Id": {}, "IsDeleted": {}, "LastName": {}, "SystemModstamp": {}},
        "indexes": {"Id": {"unique": true}, "SystemModstamp": {"unique": false}}
      }
    }
  ],
  "version": 1
}
"#;
