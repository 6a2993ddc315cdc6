//! Salesforce API names for Heroku Connect tables and columns: the one rule every message,
//! report and plan uses to name an object or a field the way a Salesforce admin finds it.
//!
//! Heroku Connect lower-cases API names (`BillingCountry` is column `billingcountry`), so the
//! casing has to come from somewhere else. In order of reliability: a snapshot that records it
//! (imported from a mapping export, or kept by refresh), Heroku Connect's own names (`sfid` is
//! `Id`), Salesforce's standard objects and fields (a table shipped here), the code's own
//! spelling when it is not all lower case, else a guess that says it is one.

use serde::Serialize;

use crate::names;
use crate::snapshot::Snapshot;

/// Where an API name comes from, most reliable first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameSource {
    /// A snapshot records it (from a mapping export, or kept by refresh).
    Snapshot,
    /// Heroku Connect's own naming (`sfid` is `Id`, `isdeleted` is `IsDeleted`, ...).
    HerokuConnect,
    /// A Salesforce standard object or field (`account.billingcountry` is `BillingCountry`).
    Standard,
    /// The code's own spelling (`Opportunity(StageName)`), not all lower case.
    Code,
    /// Guessed from the lower-case name (`stagename` -> `Stagename`): check it in Salesforce.
    Guess,
}

impl NameSource {
    /// "from a snapshot", "Salesforce's standard name", ...: for messages.
    pub fn describe(self) -> &'static str {
        match self {
            NameSource::Snapshot => "from a snapshot",
            NameSource::HerokuConnect => "Heroku Connect's name",
            NameSource::Standard => "Salesforce's standard name",
            NameSource::Code => "as written in the code",
            NameSource::Guess => "guessed: check it in Salesforce",
        }
    }
}

/// An API name and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiName {
    /// `Account`, `BillingCountry`, `Loyalty_Tier__c`.
    pub name: String,
    /// Where [`ApiName::name`] comes from.
    pub source: NameSource,
}

impl ApiName {
    fn new(name: impl Into<String>, source: NameSource) -> ApiName {
        ApiName {
            name: name.into(),
            source,
        }
    }

    /// The name as messages show it: a guess says so (`Foo__c (API name guessed)`), every
    /// other name is shown as it is.
    pub fn shown(&self) -> String {
        if self.source == NameSource::Guess {
            format!("{} (API name guessed)", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// `Object.Field` as messages show it: a guess in either name says so once
/// (`Loyalty_Program__c.Tier__c (API name guessed)`).
///
/// ```
/// use hc_schema_snapshot::salesforce::{field_api_name, object_api_name, qualified};
/// let (object, field) = (object_api_name("contact", &[], None), field_api_name("contact", "mobilephone", &[], None));
/// assert_eq!(qualified(&object, &field), "Contact.MobilePhone");
/// let field = field_api_name("contact", "tier__c", &[], None);
/// assert_eq!(qualified(&object, &field), "Contact.Tier__c (API name guessed)");
/// ```
pub fn qualified(object: &ApiName, field: &ApiName) -> String {
    let guessed = object.source == NameSource::Guess || field.source == NameSource::Guess;
    format!(
        "{}.{}{}",
        object.name,
        field.name,
        if guessed { " (API name guessed)" } else { "" }
    )
}

/// The object API name of `table` (Postgres casing): a snapshot's, else Salesforce's
/// standard object, else the code's spelling (`written`) when it is not all lower case,
/// else a guess.
///
/// ```
/// use hc_schema_snapshot::salesforce::{object_api_name, NameSource};
/// let name = object_api_name("opportunitylineitem", &[], None);
/// assert_eq!((name.name.as_str(), name.source), ("OpportunityLineItem", NameSource::Standard));
/// let name = object_api_name("loyalty_program__c", &[], None);
/// assert_eq!((name.name.as_str(), name.source), ("Loyalty_Program__c", NameSource::Guess));
/// ```
pub fn object_api_name(table: &str, snapshots: &[&Snapshot], written: Option<&str>) -> ApiName {
    if let Some(object) = snapshots
        .iter()
        .find_map(|s| s.table(table).and_then(|t| t.object.clone()))
    {
        return ApiName::new(object, NameSource::Snapshot);
    }
    if let Some(standard) = standard_object(table) {
        return ApiName::new(standard, NameSource::Standard);
    }
    if let Some(written) = written.filter(|w| is_spelled(w, table)) {
        return ApiName::new(written, NameSource::Code);
    }
    ApiName::new(names::guess_api_name(table), NameSource::Guess)
}

/// The field API name of `table.column` (Postgres casing): a snapshot's, else Heroku
/// Connect's own (`sfid` is `Id`), else a standard field of a standard object (or one every
/// object has: `OwnerId`, `CreatedDate`, ...), else the code's spelling when it is not all
/// lower case, else a guess. Custom fields (`__c`) get their casing from a snapshot imported
/// from a mapping export, or are guessed.
///
/// ```
/// use hc_schema_snapshot::salesforce::{field_api_name, NameSource};
/// let name = field_api_name("account", "billingcountry", &[], None);
/// assert_eq!((name.name.as_str(), name.source), ("BillingCountry", NameSource::Standard));
/// assert_eq!(field_api_name("contact", "mobilephone", &[], None).name, "MobilePhone");
/// assert_eq!(field_api_name("lead", "sfid", &[], None).name, "Id");
/// assert_eq!(field_api_name("account", "tier__c", &[], Some("Tier__C")).source, NameSource::Code);
/// assert_eq!(field_api_name("account", "el_history__c", &[], None).shown(), "El_History__c (API name guessed)");
/// ```
pub fn field_api_name(
    table: &str,
    column: &str,
    snapshots: &[&Snapshot],
    written: Option<&str>,
) -> ApiName {
    if let Some(field) = snapshots.iter().find_map(|s| {
        s.table(table)
            .and_then(|t| t.column(column))
            .and_then(|c| c.field.clone())
    }) {
        return ApiName::new(field, NameSource::Snapshot);
    }
    let heroku_connect = match column {
        "sfid" => Some("Id"),
        "isdeleted" => Some("IsDeleted"),
        "systemmodstamp" => Some("SystemModstamp"),
        _ => None,
    };
    if let Some(field) = heroku_connect {
        return ApiName::new(field, NameSource::HerokuConnect);
    }
    if let Some(standard) = standard_field(table, column) {
        return ApiName::new(standard, NameSource::Standard);
    }
    if let Some(written) = written.filter(|w| is_spelled(w, column)) {
        return ApiName::new(written, NameSource::Code);
    }
    ApiName::new(names::guess_api_name(column), NameSource::Guess)
}

/// The Postgres table Heroku Connect keeps an object in (the reverse of
/// [`object_api_name`]): the API name lower-cased.
///
/// ```
/// use hc_schema_snapshot::salesforce::table_of_object;
/// assert_eq!(table_of_object("OpportunityLineItem"), "opportunitylineitem");
/// assert_eq!(table_of_object("Loyalty_Program__c"), "loyalty_program__c");
/// ```
pub fn table_of_object(object: &str) -> String {
    names::normalize(object)
}

/// The Postgres column Heroku Connect keeps a field in (the reverse of [`field_api_name`]):
/// the Salesforce `Id` is column `sfid` (Heroku Connect's own `id` column is its serial key,
/// no Salesforce field), every other field is its API name lower-cased.
///
/// ```
/// use hc_schema_snapshot::salesforce::column_of_field;
/// assert_eq!(column_of_field("Id"), "sfid");
/// assert_eq!(column_of_field("MobilePhone"), "mobilephone");
/// assert_eq!(column_of_field("Loyalty_Tier__c"), "loyalty_tier__c");
/// ```
pub fn column_of_field(field: &str) -> String {
    if field.trim().eq_ignore_ascii_case("id") {
        "sfid".to_string()
    } else {
        names::normalize(field)
    }
}

/// Whether `column` is one Heroku Connect adds for its own bookkeeping, which is no
/// Salesforce field and has no API name: `id` (its serial key), `_hc_lastop`, `_hc_err`.
///
/// ```
/// use hc_schema_snapshot::salesforce::is_connect_column;
/// assert!(is_connect_column("id") && is_connect_column("_hc_err"));
/// assert!(!is_connect_column("sfid") && !is_connect_column("isdeleted"));
/// ```
pub fn is_connect_column(column: &str) -> bool {
    matches!(column, "id" | "_hc_lastop" | "_hc_err")
}

/// Whether `written` is a casing of `name` that tells something (not all lower case).
fn is_spelled(written: &str, name: &str) -> bool {
    written != name && names::normalize(written) == name
}

/// The API name of a Salesforce standard object, by its Heroku Connect table name.
///
/// ```
/// use hc_schema_snapshot::salesforce::standard_object;
/// assert_eq!(standard_object("campaignmember"), Some("CampaignMember"));
/// assert_eq!(standard_object("loyalty_program__c"), None);
/// ```
pub fn standard_object(table: &str) -> Option<&'static str> {
    STANDARD_FIELDS
        .iter()
        .map(|(object, _)| *object)
        .chain(OTHER_STANDARD_OBJECTS.iter().copied())
        .find(|object| object.eq_ignore_ascii_case(table))
}

/// The API name of a standard field of `table` (Heroku Connect names): a field of that
/// standard object, or one every object has (`OwnerId`, `CreatedDate`, ...). Custom fields
/// (`__c`) are never standard.
///
/// ```
/// use hc_schema_snapshot::salesforce::standard_field;
/// assert_eq!(standard_field("account", "annualrevenue"), Some("AnnualRevenue"));
/// assert_eq!(standard_field("loyalty_program__c", "ownerid"), Some("OwnerId"));
/// assert_eq!(standard_field("contact", "annualrevenue"), None);
/// ```
pub fn standard_field(table: &str, column: &str) -> Option<&'static str> {
    if names::is_custom(column) {
        return None;
    }
    let find = |fields: &[&'static str]| {
        fields
            .iter()
            .copied()
            .find(|field| field.eq_ignore_ascii_case(column))
    };
    STANDARD_FIELDS
        .iter()
        .find(|(object, _)| object.eq_ignore_ascii_case(table))
        .and_then(|(_, fields)| find(fields))
        .or_else(|| find(COMMON_FIELDS))
}

/// Fields every object (standard or custom) has.
/// (`Id` is not among them: Heroku Connect's `id` column is its own serial key, and the
/// Salesforce `Id` is column `sfid`.)
const COMMON_FIELDS: &[&str] = &[
    "Name",
    "OwnerId",
    "RecordTypeId",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "IsDeleted",
    "CurrencyIsoCode",
    "LastActivityDate",
    "LastViewedDate",
    "LastReferencedDate",
];

/// Standard objects whose fields are not listed here (their common fields still are).
const OTHER_STANDARD_OBJECTS: &[&str] = &[
    "Attachment",
    "ContentDocument",
    "ContentVersion",
    "Contract",
    "Group",
    "Note",
    "Order",
    "OrderItem",
    "Organization",
    "Pricebook2",
    "PricebookEntry",
    "Profile",
    "RecordType",
    "UserRole",
];

/// The common standard objects and their standard fields (beyond [`COMMON_FIELDS`]).
const STANDARD_FIELDS: &[(&str, &[&str])] = &[
    (
        "Account",
        &[
            "AccountNumber",
            "AccountSource",
            "AnnualRevenue",
            "BillingCity",
            "BillingCountry",
            "BillingGeocodeAccuracy",
            "BillingLatitude",
            "BillingLongitude",
            "BillingPostalCode",
            "BillingState",
            "BillingStreet",
            "Description",
            "Fax",
            "Industry",
            "IsPersonAccount",
            "Jigsaw",
            "MasterRecordId",
            "NumberOfEmployees",
            "Ownership",
            "ParentId",
            "PersonEmail",
            "PersonContactId",
            "Phone",
            "PhotoUrl",
            "Rating",
            "ShippingCity",
            "ShippingCountry",
            "ShippingGeocodeAccuracy",
            "ShippingLatitude",
            "ShippingLongitude",
            "ShippingPostalCode",
            "ShippingState",
            "ShippingStreet",
            "Sic",
            "SicDesc",
            "Site",
            "TickerSymbol",
            "Type",
            "Website",
        ],
    ),
    (
        "Asset",
        &[
            "AccountId",
            "ContactId",
            "Description",
            "InstallDate",
            "Price",
            "Product2Id",
            "PurchaseDate",
            "Quantity",
            "SerialNumber",
            "Status",
            "UsageEndDate",
        ],
    ),
    (
        "Campaign",
        &[
            "ActualCost",
            "BudgetedCost",
            "Description",
            "EndDate",
            "ExpectedResponse",
            "ExpectedRevenue",
            "IsActive",
            "NumberOfContacts",
            "NumberOfLeads",
            "NumberOfResponses",
            "NumberSent",
            "ParentId",
            "StartDate",
            "Status",
            "Type",
        ],
    ),
    (
        "CampaignMember",
        &[
            "CampaignId",
            "ContactId",
            "FirstRespondedDate",
            "HasResponded",
            "LeadId",
            "Status",
        ],
    ),
    (
        "Case",
        &[
            "AccountId",
            "CaseNumber",
            "ClosedDate",
            "ContactId",
            "Description",
            "IsClosed",
            "IsEscalated",
            "Origin",
            "ParentId",
            "Priority",
            "Reason",
            "Status",
            "Subject",
            "SuppliedCompany",
            "SuppliedEmail",
            "SuppliedName",
            "SuppliedPhone",
            "Type",
        ],
    ),
    (
        "Contact",
        &[
            "AccountId",
            "AssistantName",
            "AssistantPhone",
            "Birthdate",
            "Department",
            "Description",
            "DoNotCall",
            "Email",
            "EmailBouncedDate",
            "EmailBouncedReason",
            "Fax",
            "FirstName",
            "HasOptedOutOfEmail",
            "HasOptedOutOfFax",
            "HomePhone",
            "IsEmailBounced",
            "LastName",
            "LeadSource",
            "MailingCity",
            "MailingCountry",
            "MailingGeocodeAccuracy",
            "MailingLatitude",
            "MailingLongitude",
            "MailingPostalCode",
            "MailingState",
            "MailingStreet",
            "MasterRecordId",
            "MiddleName",
            "MobilePhone",
            "OtherCity",
            "OtherCountry",
            "OtherPhone",
            "OtherPostalCode",
            "OtherState",
            "OtherStreet",
            "Phone",
            "ReportsToId",
            "Salutation",
            "Suffix",
            "Title",
        ],
    ),
    (
        "Event",
        &[
            "AccountId",
            "ActivityDate",
            "ActivityDateTime",
            "Description",
            "DurationInMinutes",
            "EndDateTime",
            "IsAllDayEvent",
            "Location",
            "StartDateTime",
            "Subject",
            "Type",
            "WhatId",
            "WhoId",
        ],
    ),
    (
        "Lead",
        &[
            "AnnualRevenue",
            "City",
            "Company",
            "ConvertedAccountId",
            "ConvertedContactId",
            "ConvertedDate",
            "ConvertedOpportunityId",
            "Country",
            "Description",
            "DoNotCall",
            "Email",
            "Fax",
            "FirstName",
            "HasOptedOutOfEmail",
            "Industry",
            "IsConverted",
            "IsUnreadByOwner",
            "LastName",
            "LeadSource",
            "MobilePhone",
            "NumberOfEmployees",
            "Phone",
            "PostalCode",
            "Rating",
            "Salutation",
            "State",
            "Status",
            "Street",
            "Title",
            "Website",
        ],
    ),
    (
        "Opportunity",
        &[
            "AccountId",
            "Amount",
            "CampaignId",
            "CloseDate",
            "ContactId",
            "Description",
            "ExpectedRevenue",
            "FiscalQuarter",
            "FiscalYear",
            "ForecastCategory",
            "ForecastCategoryName",
            "HasOpportunityLineItem",
            "IsClosed",
            "IsWon",
            "LeadSource",
            "NextStep",
            "Pricebook2Id",
            "Probability",
            "StageName",
            "TotalOpportunityQuantity",
            "Type",
        ],
    ),
    (
        "OpportunityLineItem",
        &[
            "Description",
            "Discount",
            "ListPrice",
            "OpportunityId",
            "PricebookEntryId",
            "Product2Id",
            "ProductCode",
            "Quantity",
            "ServiceDate",
            "SortOrder",
            "Subtotal",
            "TotalPrice",
            "UnitPrice",
        ],
    ),
    (
        "Product2",
        &[
            "Description",
            "Family",
            "IsActive",
            "ProductCode",
            "QuantityUnitOfMeasure",
            "StockKeepingUnit",
        ],
    ),
    (
        "Task",
        &[
            "AccountId",
            "ActivityDate",
            "CallDurationInSeconds",
            "CallType",
            "CompletedDateTime",
            "Description",
            "IsClosed",
            "IsHighPriority",
            "Priority",
            "Status",
            "Subject",
            "TaskSubtype",
            "Type",
            "WhatId",
            "WhoId",
        ],
    ),
    (
        "User",
        &[
            "AccountId",
            "Alias",
            "City",
            "CommunityNickname",
            "CompanyName",
            "ContactId",
            "Country",
            "Department",
            "Division",
            "Email",
            "EmployeeNumber",
            "FederationIdentifier",
            "FirstName",
            "IsActive",
            "LanguageLocaleKey",
            "LastLoginDate",
            "LastName",
            "LocaleSidKey",
            "ManagerId",
            "MobilePhone",
            "Phone",
            "PostalCode",
            "ProfileId",
            "State",
            "Street",
            "TimeZoneSidKey",
            "Title",
            "UserRoleId",
            "UserType",
            "Username",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name in the table is a name Heroku Connect lower-cases to a plain column, has
    /// no duplicate, and never is a custom name; a standard name always wins over a guess
    /// and loses to a snapshot's.
    #[test]
    fn the_table_is_consistent() {
        let mut objects: Vec<&str> = STANDARD_FIELDS.iter().map(|(o, _)| *o).collect();
        objects.extend(OTHER_STANDARD_OBJECTS);
        let mut seen = std::collections::BTreeSet::new();
        for object in &objects {
            assert!(seen.insert(object.to_ascii_lowercase()), "{object} twice");
            assert!(names::is_hc_name(&object.to_ascii_lowercase()));
            assert_eq!(standard_object(&names::normalize(object)), Some(*object));
        }
        for (object, fields) in STANDARD_FIELDS {
            let mut seen = std::collections::BTreeSet::new();
            for field in fields.iter().chain(COMMON_FIELDS) {
                assert!(
                    seen.insert(field.to_ascii_lowercase()),
                    "{object}.{field} twice"
                );
                let column = names::normalize(field);
                assert!(!names::is_custom(&column));
                let table = names::normalize(object);
                let name = field_api_name(&table, &column, &[], None);
                assert_eq!(name.name, *field);
            }
        }
    }

    /// Generated names: whatever the code writes and whatever the snapshot records, the
    /// name lower-cases to the column (never another field), and the more reliable source
    /// wins.
    #[test]
    fn generated_names_resolve_to_their_own_column() {
        let mut rng = crate::testing::Rng::exact(0xa11_5eed);
        let mut next = move |n: usize| rng.below(n);
        let pool = [
            "account",
            "contact",
            "lead",
            "user",
            "tier__c",
            "billingcountry",
            "mobilephone",
            "name",
            "x_y__c",
            "sfid",
            "weird",
        ];
        for _ in 0..2000 {
            let table = pool[next(pool.len())];
            let column = pool[next(pool.len())];
            let written: String = column
                .chars()
                .map(|c| {
                    if next(2) == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            let recorded = next(3) == 0;
            let json = if recorded {
                format!(
                    r#"{{"format":1,"environment":"e","schema":"s","tables":{{"{table}":{{"object":"{}","columns":{{"{column}":{{"field":"{}"}}}}}}}}}}"#,
                    table.to_ascii_uppercase(),
                    written
                )
            } else {
                r#"{"format":1,"environment":"e","schema":"s","tables":{}}"#.to_string()
            };
            let snapshot = Snapshot::parse(&json, "x", "e").unwrap();
            let name = field_api_name(table, column, &[&snapshot], Some(&written));
            assert_eq!(
                column_of(&name.name),
                column,
                "{table}.{column} as {written}: {name:?}"
            );
            if recorded {
                assert_eq!(name.source, NameSource::Snapshot);
            } else if standard_field(table, column).is_some() {
                assert_eq!(name.source, NameSource::Standard);
            }
            let object = object_api_name(table, &[&snapshot], Some(&written));
            assert_eq!(names::normalize(&object.name), table);
        }
    }

    fn column_of(field: &str) -> String {
        column_of_field(field)
    }

    /// Generated round trips both ways: an API name written in any casing names the column
    /// whose API name is that name again (same letters; exactly the same when the name is a
    /// known one), and a column's API name names the column again.
    #[test]
    fn generated_api_names_and_columns_round_trip() {
        let mut rng = crate::testing::Rng::exact(0x5a1e_5f0c);
        let mut next = move |n: usize| rng.below(n);
        let objects = [
            "Account",
            "Contact",
            "Lead",
            "User",
            "Loyalty_Program__c",
            "Thing",
        ];
        let fields = [
            "Id",
            "IsDeleted",
            "SystemModstamp",
            "Name",
            "MobilePhone",
            "BillingCountry",
            "OwnerId",
            "Loyalty_Tier__c",
            "EL_History__c",
            "Weird",
        ];
        for _ in 0..3000 {
            let object = objects[next(objects.len())];
            let field = fields[next(fields.len())];
            let casing = |name: &str, next: &mut dyn FnMut(usize) -> usize| -> String {
                name.chars()
                    .map(|c| match next(3) {
                        0 => c.to_ascii_uppercase(),
                        1 => c.to_ascii_lowercase(),
                        _ => c,
                    })
                    .collect()
            };
            let (typed_object, typed_field) = (casing(object, &mut next), casing(field, &mut next));
            let table = table_of_object(&typed_object);
            let column = column_of_field(&typed_field);
            assert!(names::is_hc_name(&table) && names::is_hc_name(&column));
            assert!(!is_connect_column(&column), "{typed_field} -> {column}");
            let back = object_api_name(&table, &[], None);
            assert!(
                back.name.eq_ignore_ascii_case(object),
                "{typed_object}: {back:?}"
            );
            if back.source != NameSource::Guess {
                assert_eq!(back.name, object, "{typed_object}");
            }
            let back = field_api_name(&table, &column, &[], None);
            assert!(
                back.name.eq_ignore_ascii_case(field),
                "{typed_field}: {back:?}"
            );
            if back.source != NameSource::Guess {
                assert_eq!(back.name, field, "{object}.{typed_field}");
            }
            // And from the column side: the API name leads back to the column.
            assert_eq!(column_of_field(&back.name), column);
            assert_eq!(
                table_of_object(&object_api_name(&table, &[], None).name),
                table
            );
        }
    }
}
