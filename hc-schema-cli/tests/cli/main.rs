//! The CLI's integration tests as ONE test binary (each file a module): offline commands,
//! formats and goldens, exit codes, robustness, `init`, and the live-PostgreSQL tests. One
//! binary links the library once instead of once per file.

mod cli_drift;
mod cli_example;
mod cli_exit_codes;
mod cli_formats;
mod cli_init;
mod cli_live;
mod cli_offline;
mod cli_plan;
mod cli_robustness;
mod cli_sql;
mod cli_types;
mod cli_version;
mod common;
