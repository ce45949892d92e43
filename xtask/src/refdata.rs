//! `cargo xtask refdata` and `cargo xtask refcheck` (being built).
pub fn refdata(_args: &[String]) -> Result<(), String> {
    Err("refdata is not built yet".into())
}
pub fn refcheck(_args: &[String]) -> Result<(), String> {
    Err("refcheck is not built yet".into())
}
