//! Heroku-Connect-shaped fixture schemas, written by this project.

/// DDL shaped like Heroku Connect output: system columns, bookkeeping tables, a quoted `"user"`
/// table, a `type` column, a second, non-HC schema (`public`) that must be ignored, and the
/// per-table trigger functions Heroku Connect installs (see [`hc_triggers`]): `account` is
/// mapped read-only, `contact` read-write, and `"user"` has no logger (access unknown). The
/// rows are inserted as Heroku Connect's sync does (`xmlbinary = hex`), so they are not logged.
pub const HC_DDL: &str = r#"
CREATE EXTENSION IF NOT EXISTS hstore;
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
CREATE FUNCTION salesforce.get_xmlbinary() RETURNS varchar
    LANGUAGE plpgsql
    AS $$
    DECLARE
        xmlbin varchar;
    BEGIN
        select into xmlbin setting from pg_settings where name='xmlbinary';
        RETURN xmlbin;
    END;
$$;
SET xmlbinary = 'hex';
INSERT INTO salesforce.account (sfid, name, type, isdeleted) VALUES
    ('001000000000001AAA', 'Acme', 'Customer - Direct', false),
    ('001000000000002AAA', 'Globex', 'Prospect', false);
INSERT INTO salesforce.contact (sfid, email, accountid, isdeleted) VALUES
    ('003000000000001AAA', 'ops@acme.example', '001000000000001AAA', false);
RESET xmlbinary;
"#;

/// The trigger functions and triggers Heroku Connect installs on a mapped table (its "VERSION 4"
/// logger): `hc_<table>_status()` marks rows the app writes as `PENDING`, and
/// `hc_<table>_logger()` records each change the app makes in `_trigger_log`, with
/// `trigger_row.state = 'READONLY'` for a read-only mapping and `'NEW'` for a read-write one.
/// `read_write` picks the state.
pub fn hc_triggers(schema: &str, table: &str, read_write: bool) -> String {
    let state = if read_write { "NEW" } else { "READONLY" };
    format!(
        r#"
CREATE OR REPLACE FUNCTION {schema}.hc_{table}_status() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF ({schema}.get_xmlbinary() = 'base64') THEN  -- user op
            NEW._hc_lastop = 'PENDING';
            NEW._hc_err = NULL;
            RETURN NEW;
        ELSE  -- connect op
            IF (TG_OP = 'UPDATE' AND NEW._hc_lastop IS NOT NULL AND NEW._hc_lastop != OLD._hc_lastop) THEN
                RETURN NEW;
            END IF;
            NEW._hc_lastop = 'SYNCED';
            NEW._hc_err = NULL;
            RETURN NEW;
        END IF;
    END;
    $$;

CREATE OR REPLACE FUNCTION {schema}.hc_{table}_logger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$

    DECLARE
        trigger_row "{schema}"."_trigger_log";
        excluded_cols text[] = ARRAY['_hc_lastop', '_hc_err']::text[];

    BEGIN
        -- VERSION 4 --
        trigger_row = ROW();
        trigger_row.id = nextval('"{schema}"."_trigger_log_id_seq"');
        trigger_row.action = TG_OP::text;
        trigger_row.table_name = TG_TABLE_NAME::text;
        trigger_row.txid = txid_current();
        trigger_row.created_at = clock_timestamp();
        trigger_row.state = '{state}';

        IF (TG_OP = 'DELETE') THEN
            trigger_row.record_id = OLD.id;
            trigger_row.old = hstore(OLD.*) - excluded_cols;
            IF (OLD.sfid IS NOT NULL) THEN
                trigger_row.sfid = OLD.sfid;
            END IF;
        ELSEIF (TG_OP = 'INSERT') THEN
            trigger_row.record_id = NEW.id;
            trigger_row.values = hstore(NEW.*) - excluded_cols;
        ELSEIF (TG_OP = 'UPDATE') THEN
            trigger_row.record_id = NEW.id;
            trigger_row.old = hstore(OLD.*) - excluded_cols;
            trigger_row.values = (hstore(NEW.*) - hstore(trigger_row.old)) - excluded_cols;
            IF (OLD.sfid IS NOT NULL) THEN
                trigger_row.sfid = OLD.sfid;
            END IF;
        END IF;

        INSERT INTO "{schema}"."_trigger_log" VALUES (trigger_row.*);

        RETURN NULL;
    END;
    $$;

DROP TRIGGER IF EXISTS hc_{table}_logtrigger ON {schema}.{table};
CREATE TRIGGER hc_{table}_logtrigger AFTER INSERT OR DELETE OR UPDATE ON {schema}.{table}
    FOR EACH ROW WHEN (({schema}.get_xmlbinary())::text = 'base64'::text)
    EXECUTE PROCEDURE {schema}.hc_{table}_logger();
DROP TRIGGER IF EXISTS hc_{table}_status_trigger ON {schema}.{table};
CREATE TRIGGER hc_{table}_status_trigger BEFORE INSERT OR UPDATE ON {schema}.{table}
    FOR EACH ROW EXECUTE PROCEDURE {schema}.hc_{table}_status();
"#
    )
}

/// The DDL that maps `account.loyalty_tier__c` (what the test org has and prod lacks).
pub const ADD_LOYALTY_TIER: &str =
    "ALTER TABLE salesforce.account ADD COLUMN loyalty_tier__c varchar(255); \
     UPDATE salesforce.account SET loyalty_tier__c = 'Gold' WHERE name = 'Acme';";

/// The example app's `account.loyalty_points__c` as prod still maps it (the old Text field,
/// `varchar`), before its admin remapped it after the field became a Number.
pub const OLD_LOYALTY_POINTS: &str =
    "ALTER TABLE salesforce.account ADD COLUMN loyalty_points__c varchar(255);";

/// `account.loyalty_points__c` remapped as the Number field it became (`double precision`,
/// as in the example's test snapshot), whether or not [`OLD_LOYALTY_POINTS`] was applied.
pub const REMAP_LOYALTY_POINTS: &str =
    "ALTER TABLE salesforce.account DROP COLUMN IF EXISTS loyalty_points__c; \
     ALTER TABLE salesforce.account ADD COLUMN loyalty_points__c double precision; \
     UPDATE salesforce.account SET loyalty_points__c = 1250 WHERE name = 'Acme';";

/// A database with [`HC_DDL`] loaded; returns its name.
pub fn hc_database(prefix: &str) -> String {
    let name = crate::pg::create_database(prefix);
    let ddl = format!(
        "{HC_DDL}{}{}",
        hc_triggers("salesforce", "account", false),
        hc_triggers("salesforce", "contact", true)
    );
    crate::pg::admin(&name)
        .batch_execute(&ddl)
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
