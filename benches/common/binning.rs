//! Workloads of ndkern-spatial's binning family (issue 4's benchmark rows): Q1 gridding mean,
//! scatter-add into 49152 bins, Q14 label means + recolor, Q9 block density, Q5 masked
//! histogram. Inputs derive from the suite's data in `[1, 2)` exactly as the peers package derives
//! them (points = the data itself, labels/indices = `((a - 1) * M)` truncated, masks =
//! `a > threshold`), precomputed outside the timed call on both sides. Naive baselines:
//! single-threaded scalar loops with the same arithmetic binning.

use std::rc::Rc;

use ndarray::{Array1, ArrayD, Axis, Ix2, Ix3, IxDyn};
use ndkern_spatial::binning as bn;

use super::{data, Case, Dtype, Out, Workload};

/// `floor((x - 1) * m)` clamped to `m - 1`: the bin of a value in `[1, 2)`.
fn bin_of(x: f64, m: usize) -> usize {
    (((x - 1.0) * m as f64) as usize).min(m - 1)
}

fn build_q1_gridding(shape: &[usize]) -> Case {
    let (n, d) = (shape[0], shape[1]);
    let m = 100usize;
    let a = Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<Ix2>()
            .expect("2-d"),
    );
    let b = Rc::clone(&a);
    let grid = bn::Grid::uniform(&vec![(1.0, 2.0); d], &vec![m; d]).expect("grid");
    let cells = m.pow(d as u32);
    Case {
        bytes: (n * d * 8 + n * 8 + cells * 8) as u64,
        flops: None,
        fast: Box::new(move || {
            let v = a.column(0);
            Out::F64(
                bn::binned_statistic_dd(
                    &*a,
                    &v,
                    &grid,
                    bn::Statistic::Mean,
                    0.0,
                    bn::Outside::Drop,
                )
                .expect("valid"),
            )
        }),
        naive: Box::new(move || {
            let mut sum = vec![0.0; cells];
            let mut cnt = vec![0usize; cells];
            for row in b.rows() {
                let c = row.iter().fold(0, |c, &x| c * m + bin_of(x, m));
                sum[c] += row[0];
                cnt[c] += 1;
            }
            let mean: Vec<f64> = sum
                .iter()
                .zip(&cnt)
                .map(|(&s, &k)| if k == 0 { 0.0 } else { s / k as f64 })
                .collect();
            Out::F64(ArrayD::from_shape_vec(IxDyn(&vec![m; d]), mean).expect("cells"))
        }),
        tol: 1e-12,
    }
}

fn build_scatter_add(shape: &[usize]) -> Case {
    let n = shape[0];
    let m = 49152usize;
    let a = Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<ndarray::Ix1>()
            .expect("1-d"),
    );
    let idx: Rc<Array1<usize>> = Rc::new(a.mapv(|x| bin_of(x, m)));
    let (a2, idx2) = (Rc::clone(&a), Rc::clone(&idx));
    Case {
        bytes: (n * 16 + m * 8) as u64,
        flops: None,
        fast: Box::new(move || {
            let mut t = Array1::<f64>::zeros(m);
            bn::scatter_add_1d(&mut t, &*idx, &*a).expect("valid");
            Out::F64(t.into_dyn())
        }),
        naive: Box::new(move || {
            let mut t = vec![0.0; m];
            for (&i, &v) in idx2.iter().zip(a2.iter()) {
                t[i] += v;
            }
            Out::F64(ArrayD::from_shape_vec(IxDyn(&[m]), t).expect("m"))
        }),
        tol: 1e-12,
    }
}

fn build_q14_recolor(shape: &[usize]) -> Case {
    let (h, w) = (shape[0], shape[1]);
    let m = 1000usize;
    let img = Rc::new(
        data::<f64>(shape)
            .into_dimensionality::<Ix3>()
            .expect("3-d"),
    );
    let labels = Rc::new(img.index_axis(Axis(2), 0).mapv(|x| bin_of(x, m) as u32));
    let (img2, labels2) = (Rc::clone(&img), Rc::clone(&labels));
    Case {
        bytes: (h * w * 3 * 8 * 2 + h * w * 4 * 2) as u64,
        flops: None,
        fast: Box::new(move || {
            let st = bn::label_stats(&*labels, &*img, Some(m)).expect("valid");
            Out::F64(bn::gather(&st.mean(), &*labels).expect("valid"))
        }),
        naive: Box::new(move || {
            let mut sum = vec![0.0; m * 3];
            let mut cnt = vec![0usize; m];
            for ((i, j), &l) in labels2.indexed_iter() {
                cnt[l as usize] += 1;
                for c in 0..3 {
                    sum[l as usize * 3 + c] += img2[[i, j, c]];
                }
            }
            let mut out = Vec::with_capacity(h * w * 3);
            for &l in labels2.iter() {
                for c in 0..3 {
                    out.push(sum[l as usize * 3 + c] / cnt[l as usize] as f64);
                }
            }
            Out::F64(ArrayD::from_shape_vec(IxDyn(&[h, w, 3]), out).expect("image"))
        }),
        tol: 1e-12,
    }
}

fn build_q9_block_density(shape: &[usize]) -> Case {
    let (h, w) = (shape[0], shape[1]);
    let img = Rc::new(
        data::<f32>(shape)
            .mapv(|x| u8::from(x > 1.5))
            .into_dimensionality::<Ix2>()
            .expect("2-d"),
    );
    let img2 = Rc::clone(&img);
    Case {
        bytes: (h * w + (h / 4) * (w / 4) * 8) as u64,
        flops: None,
        fast: Box::new(move || {
            Out::F64(
                bn::block_reduce(&*img, &[4, 4], bn::BlockFunc::FractionNonzero).expect("valid"),
            )
        }),
        naive: Box::new(move || {
            let (oh, ow) = (h.div_ceil(4), w.div_ceil(4));
            let mut nz = vec![0usize; oh * ow];
            let mut cnt = vec![0usize; oh * ow];
            for ((i, j), &x) in img2.indexed_iter() {
                let c = (i / 4) * ow + j / 4;
                cnt[c] += 1;
                nz[c] += usize::from(x != 0);
            }
            let out = nz
                .iter()
                .zip(&cnt)
                .map(|(&a, &b)| a as f64 / b as f64)
                .collect();
            Out::F64(ArrayD::from_shape_vec(IxDyn(&[oh, ow]), out).expect("blocks"))
        }),
        tol: 1e-12,
    }
}

fn build_q5_masked_hist(shape: &[usize]) -> Case {
    let n: usize = shape.iter().product();
    let a = Rc::new(data::<f64>(shape));
    let mask = Rc::new(a.mapv(|x| x > 1.3));
    let (a2, mask2) = (Rc::clone(&a), Rc::clone(&mask));
    let bins = bn::AxisBins::uniform(1.0, 2.0, 200).expect("bins");
    Case {
        bytes: (n * 9) as u64,
        flops: None,
        fast: Box::new(move || {
            Out::F64(
                bn::histogram_masked(&*a, &*mask, &bins)
                    .expect("valid")
                    .into_dyn(),
            )
        }),
        naive: Box::new(move || {
            let mut h = vec![0.0; 200];
            for (&x, &m) in a2.iter().zip(mask2.iter()) {
                if m {
                    h[bin_of(x, 200)] += 1.0;
                }
            }
            Out::F64(ArrayD::from_shape_vec(IxDyn(&[200]), h).expect("bins"))
        }),
        tol: 0.0,
    }
}

/// The binning rows of the suite.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "q1_gridding_mean",
            kernel: "binned_statistic_dd(&pts, &v, &grid100^3, Mean, ..)",
            dtype: Dtype::F64,
            shape: &[10_000_000, 3],
            smoke_shape: &[20_000, 3],
            axes: None,
            peer: Some("q1_gridding_mean"),
            build: build_q1_gridding,
        },
        Workload {
            name: "scatter_add_49152",
            kernel: "scatter_add_1d(&mut t, &idx, &v)",
            dtype: Dtype::F64,
            shape: &[10_000_000],
            smoke_shape: &[100_003],
            axes: None,
            peer: Some("scatter_add_49152"),
            build: build_scatter_add,
        },
        Workload {
            name: "q14_label_recolor",
            kernel: "gather(&label_stats(&lab, &img, Some(1000))?.mean(), &lab)",
            dtype: Dtype::F64,
            shape: &[2000, 2000, 3],
            smoke_shape: &[60, 70, 3],
            axes: None,
            peer: Some("q14_label_recolor"),
            build: build_q14_recolor,
        },
        Workload {
            name: "q9_block_density",
            kernel: "block_reduce(&img_u8, &[4, 4], FractionNonzero)",
            dtype: Dtype::F32,
            shape: &[8000, 8000],
            smoke_shape: &[81, 66],
            axes: None,
            peer: Some("q9_block_density"),
            build: build_q9_block_density,
        },
        Workload {
            name: "q5_masked_histogram",
            kernel: "histogram_masked(&a, &mask, &AxisBins::uniform(1, 2, 200))",
            dtype: Dtype::F64,
            shape: &[256, 256, 256],
            smoke_shape: &[20, 21, 22],
            axes: None,
            peer: Some("q5_masked_histogram"),
            build: build_q5_masked_hist,
        },
    ]
}
