//! Test support shared by every crate's tests (doc-hidden, not part of the API): a seeded
//! PRNG, `assert_allclose` and its scale-relative variants, and the hostile-input runner that executes each case in a guarded
//! child process so one abort, hang or panic is reported and the rest still run.

mod close;
pub mod hostile;
mod rng;

pub use close::{allclose, assert_allclose, assert_allclose_msg, assert_close_scaled, max_rel_err};
pub use rng::Rng;
