//! `NDKERN_SIMD`: unknown names and levels above the CPU's are errors that say what to ask
//! for, never a crash; valid levels are honoured. One test in its own binary (process), since
//! it changes the environment.

use ndkern_core::simd::{self, Level};

#[test]
fn env_override_is_checked() {
    let saved = std::env::var("NDKERN_SIMD").ok();
    std::env::set_var("NDKERN_SIMD", "avx9");
    let e = simd::level_from_env().unwrap_err().to_string();
    assert!(
        e.contains("unknown SIMD level") && e.contains("baseline, avx2 or avx512"),
        "{e}"
    );

    std::env::set_var("NDKERN_SIMD", "baseline");
    assert_eq!(simd::level_from_env().unwrap(), Some(Level::Baseline));

    for l in Level::ALL {
        std::env::set_var("NDKERN_SIMD", l.name());
        let r = simd::level_from_env();
        if l <= simd::detected() {
            assert_eq!(r.unwrap(), Some(l));
            assert!(simd::set_level(l).is_ok());
            assert_eq!(simd::level(), l);
        } else {
            let e = r.unwrap_err().to_string();
            assert!(e.contains("cannot run SIMD level"), "{e}");
            assert!(simd::set_level(l).is_err());
        }
    }
    // A kernel still answers correctly at every supported level.
    let x: Vec<f32> = (1..=1000).map(|i| i as f32).collect();
    for l in Level::ALL.into_iter().filter(|l| l.is_supported()) {
        simd::set_level(l).unwrap();
        assert_eq!(ndkern_core::sum(&x), 500_500.0, "level {l}");
    }
    match saved {
        Some(v) => std::env::set_var("NDKERN_SIMD", v),
        None => std::env::remove_var("NDKERN_SIMD"),
    }
}
