//! Snapshot files with git merge-conflict markers: finding them, and recovering what both sides
//! knew.
//!
//! Two branches that each refreshed a snapshot conflict in git. Loading such a file says
//! "merge conflict" with the line ([`find_marker`], used by [`Snapshot::parse`]); `refresh`
//! rebuilds the file from the database and calls [`recover`] to keep what Postgres cannot tell
//! (Salesforce API names, an imported mapping access) from both sides, and to say what it could
//! not keep.

use crate::snapshot::Snapshot;

/// The 1-based line of the first merge-conflict marker (`<<<<<<<`, `=======`, `>>>>>>>`,
/// `|||||||` at the start of a line), if any. A snapshot written by hc-schema never has a line
/// starting with these characters.
///
/// ```
/// use hc_schema_snapshot::conflict::find_marker;
/// assert_eq!(find_marker("{\n<<<<<<< HEAD\n"), Some(2));
/// assert_eq!(find_marker("{\"a\": \"<<<<<<<\"}"), None);
/// ```
pub fn find_marker(text: &str) -> Option<usize> {
    // Cheap test first: the build script loads multi-megabyte snapshots.
    if !["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
        .iter()
        .any(|m| text.contains(m))
    {
        return None;
    }
    text.lines()
        .position(|line| marker(line).is_some())
        .map(|i| i + 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Ours,
    Base,
    Theirs,
    End,
}

fn marker(line: &str) -> Option<Marker> {
    let kind = match line.get(..7)? {
        "<<<<<<<" => Marker::Ours,
        "|||||||" => Marker::Base,
        "=======" => Marker::Theirs,
        ">>>>>>>" => Marker::End,
        _ => return None,
    };
    // `=======` stands alone on its line; the others may carry a label.
    let rest = &line[7..];
    let ok = match kind {
        Marker::Theirs => rest.trim().is_empty(),
        _ => rest.is_empty() || rest.starts_with([' ', '\t', '\r']),
    };
    ok.then_some(kind)
}

/// The two sides of a text with conflict markers: (ours, theirs). Lines outside conflicts go to
/// both; the common-ancestor section of a diff3-style conflict is dropped.
///
/// ```
/// use hc_schema_snapshot::conflict::sides;
/// let text = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> other\nd\n";
/// assert_eq!(sides(text), ("a\nb\nd\n".to_string(), "a\nc\nd\n".to_string()));
/// ```
pub fn sides(text: &str) -> (String, String) {
    let mut ours = String::with_capacity(text.len());
    let mut theirs = String::with_capacity(text.len());
    let mut state = Marker::End;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if let Some(next) = marker(bare) {
            state = next;
            continue;
        }
        match state {
            Marker::End => {
                ours.push_str(line);
                theirs.push_str(line);
            }
            Marker::Ours => ours.push_str(line),
            Marker::Theirs => theirs.push_str(line),
            Marker::Base => {}
        }
    }
    (ours, theirs)
}

/// What [`recover`] could read of a conflicted snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Both sides merged: every table and column either side has, with the Salesforce API
    /// names, types and access either side knows (ours where they disagree). Meant for
    /// [`Snapshot::fill_from`] on a freshly fetched snapshot.
    pub merged: Snapshot,
    /// What could not be kept, one sentence each ("the other side (theirs) does not parse:
    /// ...", "account.name: API name `Name` kept, `NAME` (theirs) dropped").
    pub lost: Vec<String>,
}

/// Read both sides of a snapshot with merge-conflict markers and merge what they know.
/// `None` when `text` has no conflict markers. `path` and `env` name the file in messages.
///
/// ```
/// use hc_schema_snapshot::conflict::recover;
/// let text = r#"{"format": 1, "environment": "prod", "schema": "salesforce", "tables": {
/// <<<<<<< HEAD
///   "account": {"object": "Account", "columns": {"name": {"field": "Name"}}}
/// =======
///   "account": {"columns": {"name": {}, "tier__c": {"field": "Tier__c"}}}
/// >>>>>>> refresh-prod
/// }}
/// "#;
/// let recovery = recover(text, "hc-schema/prod.json", "prod").unwrap();
/// let account = &recovery.merged.tables["account"];
/// assert_eq!(account.object.as_deref(), Some("Account"));
/// assert_eq!(account.columns["tier__c"].field.as_deref(), Some("Tier__c"));
/// assert!(recovery.lost.is_empty());
/// ```
pub fn recover(text: &str, path: &str, env: &str) -> Option<Recovery> {
    find_marker(text)?;
    let (ours, theirs) = sides(text);
    let ours = Snapshot::parse(&ours, &format!("{path} (our side)"), env);
    let theirs = Snapshot::parse(&theirs, &format!("{path} (their side)"), env);
    let mut lost = Vec::new();
    let merged = match (ours, theirs) {
        (Ok(mut ours), Ok(theirs)) => {
            merge_into(&mut ours, &theirs, &mut lost);
            ours
        }
        (Ok(side), Err(err)) | (Err(err), Ok(side)) => {
            lost.push(format!(
                "{err} (its API names and access are lost; the other side's are kept)"
            ));
            side
        }
        (Err(a), Err(b)) => {
            lost.push(format!("{a} (its API names and access are lost)"));
            lost.push(format!("{b} (its API names and access are lost)"));
            Snapshot::new(env, "")
        }
    };
    Some(Recovery { merged, lost })
}

/// Add what `theirs` knows to `ours`; disagreements keep ours and are listed in `lost`.
fn merge_into(ours: &mut Snapshot, theirs: &Snapshot, lost: &mut Vec<String>) {
    fn pick<T: Clone + PartialEq + std::fmt::Display>(
        mine: &mut Option<T>,
        other: &Option<T>,
        what: &str,
        lost: &mut Vec<String>,
    ) {
        match (mine.as_ref(), other) {
            (None, Some(value)) => *mine = Some(value.clone()),
            (Some(a), Some(b)) if a != b => {
                lost.push(format!("{what}: `{a}` (ours) kept, `{b}` (theirs) dropped"))
            }
            _ => {}
        }
    }
    for (name, table) in &theirs.tables {
        let Some(mine) = ours.tables.get_mut(name) else {
            ours.tables.insert(name.clone(), table.clone());
            continue;
        };
        pick(
            &mut mine.object,
            &table.object,
            &format!("{name}: object API name"),
            lost,
        );
        pick(
            &mut mine.access,
            &table.access,
            &format!("{name}: access"),
            lost,
        );
        for (column, info) in &table.columns {
            let Some(my_column) = mine.columns.get_mut(column) else {
                mine.columns.insert(column.clone(), info.clone());
                continue;
            };
            pick(
                &mut my_column.field,
                &info.field,
                &format!("{name}.{column}: API name"),
                lost,
            );
            if my_column.data_type.is_none() && info.data_type.is_some() {
                my_column.data_type = info.data_type.clone();
                my_column.nullable = info.nullable;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFLICTED: &str = "{\"format\": 1, \"environment\": \"prod\", \"schema\": \"s\", \"tables\": {\n\
<<<<<<< HEAD\n\
  \"account\": {\"object\": \"Account\", \"access\": \"read_only\", \"columns\": {\"name\": {\"field\": \"Name\"}}}\n\
||||||| base\n\
  \"account\": {\"columns\": {}}\n\
=======\n\
  \"account\": {\"object\": \"ACCOUNT\", \"columns\": {\"name\": {\"field\": \"NAME\"}, \"x__c\": {\"field\": \"X__c\"}}},\n\
  \"contact\": {\"object\": \"Contact\", \"access\": \"read_write\", \"columns\": {}}\n\
>>>>>>> theirs\n\
}}\n";

    #[test]
    fn both_sides_are_merged_and_disagreements_listed() {
        let recovery = recover(CONFLICTED, "p.json", "prod").unwrap();
        let account = &recovery.merged.tables["account"];
        assert_eq!(account.object.as_deref(), Some("Account"));
        assert_eq!(account.columns["x__c"].field.as_deref(), Some("X__c"));
        assert!(recovery.merged.tables.contains_key("contact"));
        assert_eq!(
            recovery.lost,
            [
                "account: object API name: `Account` (ours) kept, `ACCOUNT` (theirs) dropped",
                "account.name: API name: `Name` (ours) kept, `NAME` (theirs) dropped"
            ]
        );
    }

    #[test]
    fn an_unreadable_side_is_named() {
        let broken = CONFLICTED.replace("\"contact\": {", "\"contact\" {");
        let recovery = recover(&broken, "p.json", "prod").unwrap();
        assert_eq!(recovery.lost.len(), 1, "{:?}", recovery.lost);
        assert!(
            recovery.lost[0].starts_with("p.json (their side):"),
            "{:?}",
            recovery.lost
        );
        assert_eq!(
            recovery.merged.tables["account"].object.as_deref(),
            Some("Account")
        );
        assert!(recover("{}", "p.json", "prod").is_none());
    }

    /// Generated inputs: no panic, and the sides of a text without markers are the text.
    #[test]
    fn generated_texts_never_panic() {
        let pieces = [
            "<<<<<<< a\n",
            "=======\n",
            ">>>>>>> b\n",
            "||||||| c\n",
            "{\"format\": 1,\n",
            "\"tables\": {}}\n",
            "\r\n",
            "x",
            "=======x\n",
            "<<<<<<<",
            "é",
        ];
        let mut rng = crate::testing::Rng::exact(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..rng.below(9) {
                text.push_str(rng.pick(&pieces));
            }
            let (ours, theirs) = sides(&text);
            if find_marker(&text).is_none() {
                assert_eq!(
                    (ours.as_str(), theirs.as_str()),
                    (text.as_str(), text.as_str())
                );
                assert!(recover(&text, "p", "p").is_none());
            } else {
                let _ = recover(&text, "p", "p");
            }
        }
    }
}
