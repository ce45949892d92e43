//! Test support shared by every crate's tests (doc-hidden, not part of the API): a seeded
//! PRNG, `assert_allclose`, and the hostile-input runner that executes each case in a guarded
//! child process so one abort, hang or panic is reported and the rest still run.

mod close;
pub mod hostile;
mod rng;

pub use close::{allclose, assert_allclose};
pub use rng::Rng;
