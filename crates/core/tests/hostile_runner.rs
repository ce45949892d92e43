//! The hostile-input runner reports aborts, panics and failed checks by case and keeps going.

use ndkern_core::testing::hostile::{ensure, Suite};

#[test]
fn runner_reports_each_broken_case_and_runs_the_rest() {
    let mut s = Suite::new("runner_reports_each_broken_case_and_runs_the_rest");
    s.case("passes", || ensure(true, "never"));
    s.case("aborts", || std::process::abort());
    s.case("passes after the abort", || Ok(()));
    s.case("panics", || panic!("boom"));
    s.case("fails its check", || ensure(1 + 1 == 3, "arithmetic"));
    s.case("allocates past the cap", || {
        let v: Vec<u8> = vec![1; 8 << 30];
        ensure(v.len() == 8 << 30, "len")
    });
    s.case("hangs", || loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
    });
    s.case("passes last", || Ok(()));
    std::env::set_var("NDKERN_HOSTILE_TIMEOUT", "1");
    let broken = s.run_collect();
    if std::env::var("NDKERN_HOSTILE_FROM").is_ok() {
        return; // the child process: the parent checks the reports
    }
    assert_eq!(broken.len(), 5, "{broken:#?}");
    assert!(broken[4].starts_with("hangs: hang"), "{}", broken[4]);
    assert!(
        broken[0].starts_with("aborts: process died"),
        "{}",
        broken[0]
    );
    assert!(broken[1].starts_with("panics: panic boom"), "{}", broken[1]);
    assert!(
        broken[2].starts_with("fails its check: fail arithmetic"),
        "{}",
        broken[2]
    );
    assert!(
        broken[3].starts_with("allocates past the cap: process died"),
        "{}",
        broken[3]
    );
}
