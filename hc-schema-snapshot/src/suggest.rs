//! "Did you mean ...?" for misspelled tables and columns.
//!
//! Catches the slips people make with Heroku Connect names: typos, a forgotten or extra `__c`,
//! missing underscores (`loyaltytier__c`), and Salesforce casing (already handled by
//! normalisation, but kept here for candidates that were not normalised).

/// The candidate closest to `wanted`, if any is close enough to be a likely slip.
///
/// ```text
/// use hc_schema_snapshot::suggest::closest;
/// let columns = ["name", "loyalty_tier__c", "billingcity"];
/// assert_eq!(closest("loyalty_teir__c", columns), Some("loyalty_tier__c"));
/// assert_eq!(closest("loyalty_tier", columns), Some("loyalty_tier__c"));
/// assert_eq!(closest("shipping_address", columns), None);
/// ```
///
/// (A private item: this example runs as the unit test `doc_example_closest`.)
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.to_ascii_lowercase();
    let wanted_key = squash(&wanted);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let lower = candidate.to_ascii_lowercase();
        if lower == wanted {
            return Some(candidate);
        }
        let score = if squash(&lower) == wanted_key {
            0
        } else {
            let distance = strsim::damerau_levenshtein(&wanted, &lower);
            let allowed = match wanted.len().max(lower.len()) {
                0..=3 => 1,
                4..=8 => 2,
                _ => 3,
            };
            if distance > allowed {
                continue;
            }
            distance
        };
        if best.is_none_or(|(best_score, _)| score < best_score) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// A name with the slips that do not matter for "did you mean" removed: `__c` and underscores.
fn squash(name: &str) -> String {
    name.strip_suffix("__c").unwrap_or(name).replace('_', "")
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn custom_suffix_slips() {
        assert_eq!(closest("tier__c", ["tier"]), Some("tier"));
        assert_eq!(closest("tier", ["tier__c"]), Some("tier__c"));
        assert_eq!(
            closest("loyaltytier__c", ["loyalty_tier__c"]),
            Some("loyalty_tier__c")
        );
    }

    #[test]
    fn prefers_the_nearest() {
        assert_eq!(closest("nme", ["name", "named_thing"]), Some("name"));
        assert_eq!(closest("acount", ["account", "contact"]), Some("account"));
    }

    #[test]
    fn unrelated_names_get_no_suggestion() {
        assert_eq!(closest("id", ["name", "email"]), None);
        assert_eq!(closest("opportunity", ["account", "contact"]), None);
        assert_eq!(closest("x", std::iter::empty()), None);
    }
}

#[cfg(test)]
mod doc_examples {
    #[test]
    fn doc_example_closest() {
        use crate::suggest::closest;
        let columns = ["name", "loyalty_tier__c", "billingcity"];
        assert_eq!(closest("loyalty_teir__c", columns), Some("loyalty_tier__c"));
        assert_eq!(closest("loyalty_tier", columns), Some("loyalty_tier__c"));
        assert_eq!(closest("shipping_address", columns), None);
    }
}
