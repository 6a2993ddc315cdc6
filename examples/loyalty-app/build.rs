fn main() {
    hc_schema_snapshot::build::configure();
}
