//! An annotation as the check and the scan use it: one requirement per group, and usages with
//! their positions.

use proc_macro2::Span;

use super::{Annotation, Group, Name};
use crate::requirement::Requirement;

impl Annotation {
    /// The requirements, one per group, names normalised.
    pub fn requirements(&self) -> Vec<Requirement> {
        self.groups.iter().map(Group::requirement).collect()
    }

    /// The annotation as usages (one per group, with their positions and the allowances for
    /// their table), for the scan and the registry. `file` names the source file.
    pub fn usages(&self, file: &str) -> Vec<crate::manifest::Usage> {
        let allowances = self.allowances();
        self.groups
            .iter()
            .map(|group| {
                let requirement = group.requirement();
                crate::manifest::Usage {
                    file: file.to_string(),
                    table: spot(&group.table),
                    columns: group
                        .columns
                        .iter()
                        .zip(&group.types)
                        .map(|(column, ty)| crate::manifest::Spot {
                            rust: ty.as_ref().map(|ty| {
                                let start = ty.span.start();
                                Box::new(crate::manifest::Spot::new(
                                    ty.text.clone(),
                                    start.line as u32,
                                    start.column as u32 + 1,
                                ))
                            }),
                            ..spot(column)
                        })
                        .collect(),
                    access: requirement.access,
                    allowances: allowances
                        .iter()
                        .filter(|a| a.table == requirement.table)
                        .cloned()
                        .collect(),
                    origin: crate::manifest::Origin::Annotation,
                }
            })
            .collect()
    }
}

/// A name and its 1-based position.
fn spot(name: &Name) -> crate::manifest::Spot {
    let start = name.span.start();
    crate::manifest::Spot {
        name: name.value.clone(),
        line: start.line as u32,
        column: start.column as u32 + 1,
        written: (name.written != name.value).then(|| name.written.clone()),
        rust: None,
    }
}

impl Group {
    /// The requirement this group states.
    pub fn requirement(&self) -> Requirement {
        Requirement {
            table: self.table.value.clone(),
            columns: self.columns.iter().map(|c| c.value.clone()).collect(),
            access: if self.write.is_some() {
                crate::requirement::Access::Write
            } else {
                crate::requirement::Access::Read
            },
        }
    }

    /// The typed columns of this group: `(column, Rust type as written)`, columns normalised.
    pub fn typed(&self) -> Vec<(String, String)> {
        self.columns
            .iter()
            .zip(&self.types)
            .filter_map(|(column, ty)| Some((column.value.clone(), ty.as_ref()?.text.clone())))
            .collect()
    }

    /// The span of the Rust type written after `column` (normalised), else of the column.
    pub fn type_span_of(&self, column: &str) -> Span {
        self.columns
            .iter()
            .zip(&self.types)
            .find(|(c, _)| c.value == column)
            .and_then(|(_, ty)| ty.as_ref().map(|ty| ty.span))
            .unwrap_or_else(|| self.span_of(Some(column)))
    }

    /// The span of the column named `column` (normalised), or of the table.
    pub fn span_of(&self, column: Option<&str>) -> Span {
        column
            .and_then(|wanted| self.columns.iter().find(|c| c.value == wanted))
            .map_or(self.table.span, |c| c.span)
    }
}
