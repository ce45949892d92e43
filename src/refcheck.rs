//! Reference-data runner (being built).
