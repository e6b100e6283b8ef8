//! `zkprove bench field`: field multiplication throughput, 2^N multiplications through the field's
//! SIMD packing on every thread (`width`: lanes per operation).

use std::hint::black_box;

use anyhow::Result;
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::{Field, PackedField, PackedKernel};
use zkprove_field::{babybear, bn254, goldilocks, m31};

use super::report::{Report, Throughput, thread_pool, time_reps};
use super::{CommonArgs, FieldName, require_cpu, throughput_text};

/// Arguments of `zkprove bench field`.
#[derive(Debug, Args)]
pub struct FieldArgs {
    /// The field.
    #[arg(long, value_enum)]
    field: FieldName,
    /// log2 of the number of multiplications.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=34))]
    log_n: u32,
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs `zkprove bench field` (CPU only; `--device auto` runs on the CPU).
pub fn run(a: FieldArgs) -> Result<()> {
    require_cpu(a.common.device, "field")?;
    let pool = thread_pool(a.common.threads)?;
    let report = pool.install(|| match a.field {
        FieldName::Bn254Fr => field_mul::<bn254::Fr>(&a),
        FieldName::Bn254Fq => field_mul::<bn254::Fq>(&a),
        FieldName::Goldilocks => field_mul::<goldilocks::Goldilocks>(&a),
        FieldName::GoldilocksExt2 => field_mul::<goldilocks::GoldilocksExt2>(&a),
        FieldName::Babybear => field_mul::<babybear::BabyBear>(&a),
        FieldName::BabybearExt4 => field_mul::<babybear::BabyBearExt4>(&a),
        FieldName::M31 => field_mul::<m31::M31>(&a),
        FieldName::Qm31 => field_mul::<m31::QM31>(&a),
    })?;
    report.print(a.common.json, throughput_text)
}

/// Elements per thread-local buffer: small enough to stay in L1/L2, so that the kernel measures
/// multiplication throughput rather than memory bandwidth.
const BUFFER_LEN: usize = 1 << 12;

/// `passes` times `a[i] *= b[i]` (equal lengths, a multiple of the packing's width), packed.
struct MulPasses<'a, F> {
    a: &'a mut [F],
    b: &'a [F],
    passes: u64,
}

impl<F: Field> PackedKernel<F> for MulPasses<'_, F> {
    type Output = ();
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) {
        let (pa, _) = P::pack_slice_with_suffix_mut(self.a);
        let n = pa.len() * P::WIDTH;
        let pb = P::pack_slice(&self.b[..n]);
        for _ in 0..self.passes {
            for (x, y) in pa.iter_mut().zip(pb) {
                *x *= *y;
            }
            black_box(&mut *pa);
        }
    }
}

/// Times 2^log_n multiplications of `F` on the packing `F::with_packing` picks at run time (capped by
/// `--cpu`): each thread owns a cache-resident buffer
/// and multiplies it in place by a second one, pass after pass (independent lanes, so throughput
/// rather than latency is measured).
fn field_mul<F: Field>(args: &FieldArgs) -> Result<Report<Throughput>> {
    let n_total: u64 = 1 << args.log_n;
    let threads = rayon::current_num_threads();
    let width = zkprove_field::packing_width::<F>();
    // Scalars per buffer, a multiple of the packing width.
    let buf_len = (n_total as usize).clamp(width, BUFFER_LEN).next_multiple_of(width);
    let n_buffers = n_total.div_ceil(buf_len as u64);
    let mut rng = StdRng::seed_from_u64(1);
    let a0: Vec<F> = (0..buf_len).map(|_| F::random(&mut rng)).collect();
    let b: Vec<F> = (0..buf_len).map(|_| F::random(&mut rng)).collect();

    // Split the passes between threads; each thread works on its own copy of the buffer.
    let per_thread = n_buffers.div_ceil(threads as u64);
    let run = || {
        rayon::broadcast(|ctx| {
            let first = ctx.index() as u64 * per_thread;
            let passes = per_thread.min(n_buffers.saturating_sub(first));
            let mut a = a0.clone();
            F::with_packing(MulPasses { a: &mut a, b: &b, passes });
            black_box(a);
        });
        Ok(())
    };
    let median_ms = time_reps(args.common.reps, run)?.median_ms();
    Ok(Report {
        kernel: "field-mul",
        field: Some(args.field.name()),
        log_n: args.log_n,
        device: "cpu",
        median_ms,
        reps: args.common.reps,
        threads,
        extra: Throughput {
            width,
            mops_per_s: (n_buffers * buf_len as u64) as f64 / (median_ms * 1e-3) / 1e6,
            detail: None,
        },
    })
}
