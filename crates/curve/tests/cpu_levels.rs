//! MSMs agree at every run-time CPU level this machine supports (`zkprove_field::cpu`): the
//! MULX/ADCX/ADOX base-field multiplication and, where compiled in, the IFMA batch-addition lanes
//! against the portable scalar code and the naive sum. One test: the level cap is process-wide.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_curve::msm::random_points;
use zkprove_curve::{MsmOps, SwCurve, msm_naive};
use zkprove_field::Field;
use zkprove_field::cpu::{self, CpuLevel};
use zkprove_poly::CpuBackend;

fn check<C: SwCurve>(n: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let bases = random_points::<C, _>(n, &mut rng);
    let scalars: Vec<C::Scalar> = (0..n)
        .map(|i| match i % 5 {
            0 => C::Scalar::from_u64(rng.random_range(0..4)),
            _ => C::Scalar::random(&mut rng),
        })
        .collect();
    cpu::set_max_cpu_level(CpuLevel::Portable);
    let expected = msm_naive(&bases, &scalars).unwrap();
    for level in CpuLevel::ALL.into_iter().filter(|l| *l <= cpu::detected_level()) {
        assert_eq!(cpu::set_max_cpu_level(level), level);
        let prepared = <CpuBackend as MsmOps<C>>::prepare_bases(bases.clone()).unwrap();
        let got = <CpuBackend as MsmOps<C>>::msm(&prepared, &scalars).unwrap();
        assert_eq!(got, expected, "n = {n}, level {level}");
    }
}

#[test]
fn msm_agrees_at_every_cpu_level() {
    check::<G1Config>(1 << 11, 1);
    check::<G2Config>(1 << 8, 2);
    cpu::set_max_cpu_level(CpuLevel::Ifma);
}
