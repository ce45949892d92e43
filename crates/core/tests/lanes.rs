//! The strided layer and the line-buffer driver on random layouts: `canonicalize` keeps every
//! element exactly once and merges what is contiguous; `for_each_offset` walks C order;
//! `for_each_lane` + `LineBuffer` run a border-extended filter along every axis of strided,
//! reversed and permuted views, checked against a naive per-element oracle.

use ndarray::{Array, ArrayD, Dimension, IxDyn, SliceInfoElem};
use ndkern_core::{
    canonicalize, for_each_lane, for_each_offset, reference, scatter, BorderMode, LineBuffer,
};
use proptest::prelude::*;

fn layout() -> impl Strategy<Value = (Vec<usize>, Vec<isize>, Vec<usize>)> {
    (1usize..=4).prop_flat_map(|nd| {
        (
            proptest::collection::vec(1usize..6, nd),
            proptest::collection::vec(prop_oneof![Just(1isize), Just(-1), Just(2), Just(-3)], nd),
            Just((0..nd).collect::<Vec<_>>()).prop_shuffle(),
        )
    })
}

fn base(shape: &[usize]) -> ArrayD<f64> {
    let mut k = 0.0;
    Array::from_shape_fn(IxDyn(shape), |_| {
        k += 1.0;
        k * 1.5 - 7.0
    })
}

fn view<'a>(a: &'a ArrayD<f64>, steps: &[isize], perm: &[usize]) -> ndarray::ArrayViewD<'a, f64> {
    let info: Vec<SliceInfoElem> = steps
        .iter()
        .map(|&s| SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: s,
        })
        .collect();
    a.slice(info.as_slice()).permuted_axes(IxDyn(perm))
}

proptest! {
    #[test]
    fn canonicalize_keeps_every_element_once((shape, steps, perm) in layout()) {
        let a = base(&shape);
        let v = view(&a, &steps, &perm);
        let c = canonicalize(&v);
        let mut x: Vec<f64> = v.iter().copied().collect();
        let mut y: Vec<f64> = c.iter().copied().collect();
        x.sort_by(f64::total_cmp);
        y.sort_by(f64::total_cmp);
        prop_assert_eq!(x, y);
        // Unit steps: the view is a permutation of a contiguous block, so one axis remains.
        if steps.iter().all(|s| s.abs() == 1) {
            prop_assert!(c.ndim() <= 1 && c.as_slice().is_some());
        }
    }

    #[test]
    fn for_each_offset_walks_c_order((shape, steps, perm) in layout(), skip in 0usize..7) {
        let a = base(&shape);
        let v = view(&a, &steps, &perm);
        let dims = ndkern_core::dims_of(&v);
        let n = v.len();
        let start = skip.min(n);
        let mut got = Vec::new();
        // SAFETY of the reads: offsets come from the view's own shape and strides.
        for_each_offset(&dims, start, n - start, |off| got.push(unsafe { *v.as_ptr().offset(off) }));
        let want: Vec<f64> = v.iter().copied().skip(start).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn lanes_with_border_extension_match_naive_filter(
        (shape, steps, perm) in layout(),
        mode_ix in 0usize..5,
        before in 0usize..7,
        after in 0usize..7,
    ) {
        let mode = [
            BorderMode::Constant(0.25),
            BorderMode::Nearest,
            BorderMode::Reflect,
            BorderMode::Mirror,
            BorderMode::Wrap,
        ][mode_ix];
        let a = base(&shape);
        let v = view(&a, &steps, &perm);
        for axis in 0..v.ndim() {
            let n = v.shape()[axis];
            // A window sum of width before + after + 1 centred with that offset: every output
            // depends on extended samples, so a wrong border or a wrong lane shows up.
            let mut out = ArrayD::<f64>::zeros(v.raw_dim());
            for_each_lane(
                &v,
                &mut out,
                axis,
                || (LineBuffer::new(n, before, after, mode).unwrap(), vec![0.0; n]),
                |lane, out_lane, (buf, line)| {
                    buf.gather(lane).unwrap();
                    let ext = buf.extended();
                    for (i, o) in line.iter_mut().enumerate() {
                        *o = ext[i..i + before + after + 1].iter().sum();
                    }
                    scatter(line, out_lane).unwrap();
                },
            )
            .unwrap();
            for (idx, &o) in out.indexed_iter() {
                let mut ix = idx.clone();
                let lane: Vec<f64> = (0..n)
                    .map(|k| {
                        ix[axis] = k;
                        v[ix.slice()]
                    })
                    .collect();
                let ext = reference::extend_line(&lane, before, after, mode);
                let want: f64 = ext[idx[axis]..idx[axis] + before + after + 1].iter().sum();
                prop_assert!((o - want).abs() <= 1e-12 * want.abs().max(1.0), "axis {axis} {idx:?}: {o} vs {want}");
            }
        }
    }
}

#[test]
fn for_each_lane_rejects_bad_shapes_and_axes() {
    let a = ArrayD::<f64>::zeros(IxDyn(&[3, 4]));
    let mut wrong = ArrayD::<f64>::zeros(IxDyn(&[4, 3]));
    let e = for_each_lane(&a, &mut wrong, 0, || (), |_, _, _| {}).unwrap_err();
    assert!(e.to_string().contains("[3, 4]"), "{e}");
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[3, 4]));
    let e = for_each_lane(&a, &mut out, 2, || (), |_, _, _| {}).unwrap_err();
    assert!(e.to_string().contains("axis 2"), "{e}");
}
