//! Shared differential tests of the device sumcheck operations against zkprove-sumcheck's CPU
//! backend, instantiated by `sumcheck_opencl.rs` and `sumcheck_cuda.rs` for their backend
//! (`sumcheck_tests!(Backend, Runtime)`), given a `device()` function in scope.

/// Whether the environment variable `name` is `1`.
pub fn required(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

/// Defines the differential test functions for one device backend (`$backend`, whose columns are
/// `GpuBuffer<$rt, _>`).
#[macro_export]
macro_rules! sumcheck_tests {
    ($backend:ty, $rt:ty) => {
        use std::sync::Arc;

        use rand::SeedableRng;
        use rand::rngs::StdRng;
        use zkprove_field::Field;
        use zkprove_field::babybear::{BabyBear, BabyBearExt4};
        use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
        use zkprove_field::m31::{M31, QM31};
        use zkprove_gpu::{GpuBuffer, GpuExtension, GpuField, ext_download, ext_upload};
        use zkprove_hash::{Poseidon2, Transcript};
        use zkprove_poly::CpuBackend;
        use zkprove_sumcheck::{SumcheckError, SumcheckOps, SumcheckProver, Term, verify};

        type Gpu = $backend;

        fn rand_vec<T: Field>(rng: &mut StdRng, n: usize) -> Vec<T> {
            (0..n).map(|_| T::random(rng)).collect()
        }

        fn up<F: GpuField>(dev: &Arc<$rt>, tables: &[Vec<F>]) -> Vec<GpuBuffer<$rt, F>> {
            tables.iter().map(|t| GpuBuffer::upload(dev, t).expect("upload")).collect()
        }

        fn up_ext<F: GpuField, E: GpuExtension<F>>(
            dev: &Arc<$rt>,
            tables: &[Vec<E>],
        ) -> Vec<GpuBuffer<$rt, E>> {
            tables.iter().map(|t| ext_upload::<_, F, E>(dev, t).expect("upload")).collect()
        }

        fn down<F: GpuField, E: GpuExtension<F>>(
            cols: &[GpuBuffer<$rt, E>],
            n: usize,
        ) -> Vec<Vec<E>> {
            cols.iter().map(|c| ext_download::<_, F, E>(c, n).expect("download")).collect()
        }

        /// Term sets of round degree `d` over `n_tables` tables: one product of `d` factors, and
        /// several terms with random coefficients (a repeated factor, lower-degree terms).
        fn term_sets<E: Field>(rng: &mut StdRng, d: usize, n_tables: usize) -> Vec<Vec<Term<E>>> {
            let product = vec![Term::product((0..d).map(|k| k % n_tables).collect())];
            let mut several = vec![Term::new(E::random(rng), (0..d).rev().collect())];
            several.push(Term::new(E::random(rng), vec![n_tables - 1]));
            if d >= 2 {
                several.push(Term::new(E::random(rng), vec![1, 1]));
            }
            if d >= 3 {
                several.push(Term::new(E::random(rng), vec![2, 0, n_tables - 1]));
            }
            vec![product, several]
        }

        /// Round values, folds and the fused fold + round equal the CPU backend's, for degrees
        /// 1..=4, two term sets, tables of 2^1..2^max_log entries.
        fn rounds_match_cpu<F: GpuField, E: GpuExtension<F>>(dev: &Arc<$rt>, max_log: usize) {
            let mut rng = StdRng::seed_from_u64(0x5c_0001);
            let n_tables = 5;
            for log_n in 1..=max_log {
                let len = 1usize << log_n;
                let tables: Vec<Vec<F>> = (0..n_tables).map(|_| rand_vec(&mut rng, len)).collect();
                let cols = up(dev, &tables);
                let r: E = E::random(&mut rng);
                for d in 1..=4 {
                    for terms in term_sets::<E>(&mut rng, d, n_tables) {
                        let cpu = <CpuBackend as SumcheckOps<F, E>>::round_evals_base(
                            &tables, len, &terms, d,
                        )
                        .expect("cpu round");
                        let gpu =
                            <Gpu as SumcheckOps<F, E>>::round_evals_base(&cols, len, &terms, d)
                                .expect("gpu round");
                        assert_eq!(gpu, cpu, "round_evals_base log_n {log_n} d {d} {terms:?}");
                    }
                }
                // Fold base → ext.
                let cpu_f = <CpuBackend as SumcheckOps<F, E>>::fold_base(&tables, len, r)
                    .expect("cpu fold");
                let gpu_f = <Gpu as SumcheckOps<F, E>>::fold_base(&cols, len, r).expect("gpu fold");
                assert_eq!(down::<F, E>(&gpu_f, len / 2), cpu_f, "fold_base log_n {log_n}");
                // Lift.
                let lifted = <Gpu as SumcheckOps<F, E>>::lift(&cols, len).expect("lift");
                let cpu_l = <CpuBackend as SumcheckOps<F, E>>::lift(&tables, len).expect("lift");
                assert_eq!(down::<F, E>(&lifted, len), cpu_l, "lift log_n {log_n}");
                if log_n < 2 {
                    continue;
                }
                // Extension tables: round, fused fold + round, fold.
                let ext: Vec<Vec<E>> = (0..n_tables).map(|_| rand_vec(&mut rng, len)).collect();
                for d in 1..=4 {
                    for terms in term_sets::<E>(&mut rng, d, n_tables) {
                        let cpu = <CpuBackend as SumcheckOps<F, E>>::round_evals_ext(
                            &ext, len, &terms, d,
                        )
                        .expect("cpu round");
                        let gcols = up_ext::<F, E>(dev, &ext);
                        let gpu =
                            <Gpu as SumcheckOps<F, E>>::round_evals_ext(&gcols, len, &terms, d)
                                .expect("gpu round");
                        assert_eq!(gpu, cpu, "round_evals_ext log_n {log_n} d {d}");

                        let mut cpu_t = ext.clone();
                        let cpu = <CpuBackend as SumcheckOps<F, E>>::fold_ext_and_round(
                            &mut cpu_t, len, r, &terms, d,
                        )
                        .expect("cpu fused");
                        let mut gcols = gcols;
                        let gpu = <Gpu as SumcheckOps<F, E>>::fold_ext_and_round(
                            &mut gcols, len, r, &terms, d,
                        )
                        .expect("gpu fused");
                        assert_eq!(gpu, cpu, "fold_ext_and_round log_n {log_n} d {d}");
                        assert_eq!(
                            down::<F, E>(&gcols, len / 2),
                            cpu_t,
                            "fused fold log_n {log_n}"
                        );
                    }
                }
                let mut cpu_t = ext.clone();
                <CpuBackend as SumcheckOps<F, E>>::fold_ext(&mut cpu_t, len, r).expect("cpu fold");
                let mut gcols = up_ext::<F, E>(dev, &ext);
                <Gpu as SumcheckOps<F, E>>::fold_ext(&mut gcols, len, r).expect("gpu fold");
                assert_eq!(down::<F, E>(&gcols, len / 2), cpu_t, "fold_ext log_n {log_n}");
                assert_eq!(
                    <Gpu as SumcheckOps<F, E>>::first_entries(&gcols).expect("first"),
                    cpu_t.iter().map(|t| t[0]).collect::<Vec<E>>()
                );
            }
        }

        /// More tables than one launch reads (terms split into groups; the fused fold + round
        /// falls back to two passes).
        fn many_tables_match_cpu<F: GpuField, E: GpuExtension<F>>(dev: &Arc<$rt>) {
            let mut rng = StdRng::seed_from_u64(0x5c_0002);
            let (n_tables, len) = (11, 1 << 7);
            let tables: Vec<Vec<F>> = (0..n_tables).map(|_| rand_vec(&mut rng, len)).collect();
            let terms: Vec<Term<E>> = vec![
                Term::new(E::random(&mut rng), vec![0, 1, 2]),
                Term::new(E::random(&mut rng), vec![3, 4, 5, 6]),
                Term::new(E::random(&mut rng), vec![7, 8, 9, 10]),
                Term::new(E::random(&mut rng), vec![10, 0]),
            ];
            let cpu = <CpuBackend as SumcheckOps<F, E>>::round_evals_base(&tables, len, &terms, 4)
                .expect("cpu");
            let cols = up(dev, &tables);
            let gpu =
                <Gpu as SumcheckOps<F, E>>::round_evals_base(&cols, len, &terms, 4).expect("gpu");
            assert_eq!(gpu, cpu);
            let r = E::random(&mut rng);
            let mut cpu_t = <CpuBackend as SumcheckOps<F, E>>::fold_base(&tables, len, r).unwrap();
            let mut gpu_t = <Gpu as SumcheckOps<F, E>>::fold_base(&cols, len, r).unwrap();
            let r2 = E::random(&mut rng);
            let cpu = <CpuBackend as SumcheckOps<F, E>>::fold_ext_and_round(
                &mut cpu_t,
                len / 2,
                r2,
                &terms,
                4,
            )
            .unwrap();
            let gpu =
                <Gpu as SumcheckOps<F, E>>::fold_ext_and_round(&mut gpu_t, len / 2, r2, &terms, 4)
                    .unwrap();
            assert_eq!(gpu, cpu);
            assert_eq!(down::<F, E>(&gpu_t, len / 4), cpu_t);
        }

        /// Bad inputs give the CPU backend's errors.
        fn errors_match_cpu<F: GpuField, E: GpuExtension<F>>(dev: &Arc<$rt>) {
            let mut rng = StdRng::seed_from_u64(0x5c_0003);
            let tables: Vec<Vec<F>> = vec![rand_vec(&mut rng, 8), rand_vec(&mut rng, 4)];
            let cols = up(dev, &tables);
            let cases: Vec<(usize, Vec<Term<E>>, usize)> = vec![
                (8, vec![Term::product(vec![0])], 1), // table 1 too short
                (1, vec![Term::product(vec![0])], 1), // 2^0: no round
                (6, vec![Term::product(vec![0])], 1), // not a power of two
                (4, vec![Term::product(vec![0, 2])], 2), // factor out of range
                (4, vec![Term::product(vec![0, 1])], 1), // degree below a term's
                (4, vec![], 1),                       // no terms
                (4, vec![Term::product(vec![0])], 9), // degree too large
            ];
            for (len, terms, d) in cases {
                let cpu =
                    <CpuBackend as SumcheckOps<F, E>>::round_evals_base(&tables, len, &terms, d);
                let gpu = <Gpu as SumcheckOps<F, E>>::round_evals_base(&cols, len, &terms, d);
                assert!(cpu.is_err());
                assert_eq!(gpu, cpu, "len {len} d {d} {terms:?}");
            }
            let mut ext = <Gpu as SumcheckOps<F, E>>::lift(&cols[..1], 2).unwrap();
            let terms = vec![Term::<E>::product(vec![0])];
            assert_eq!(
                <Gpu as SumcheckOps<F, E>>::fold_ext_and_round(&mut ext, 2, E::ONE, &terms, 1),
                Err(SumcheckError::NoVariablesLeft)
            );
            // A single entry (2^0): its first entry is the value.
            let one = <Gpu as SumcheckOps<F, E>>::lift(&cols[..1], 1).unwrap();
            assert_eq!(
                <Gpu as SumcheckOps<F, E>>::first_entries(&one).unwrap(),
                vec![E::from_base(tables[0][0])]
            );
        }

        /// A whole proof on the device equals the CPU proof (same transcript) and verifies.
        fn proof_matches_cpu<F: GpuField, E: GpuExtension<F>, const W: usize, const RATE: usize>(
            dev: &Arc<$rt>,
            perm: Poseidon2<F, W>,
            log_n: usize,
        ) {
            let mut rng = StdRng::seed_from_u64(0x5c_0004);
            let len = 1usize << log_n;
            let tables: Vec<Vec<F>> = (0..4).map(|_| rand_vec(&mut rng, len)).collect();
            // eq-like weight times (a·b − c), plus a square.
            let terms: Vec<Term<E>> = vec![
                Term::product(vec![3, 0, 1]),
                Term::new(-E::ONE, vec![3, 2]),
                Term::new(E::random(&mut rng), vec![1, 1]),
            ];
            let claim: E = (0..len)
                .map(|i| {
                    let v: Vec<E> = tables.iter().map(|t| E::from_base(t[i])).collect();
                    zkprove_sumcheck::evaluate_terms(&terms, &v)
                })
                .sum();
            let tr = Transcript::<F, W, RATE>::with_label(perm, b"gpu-sumcheck").expect("shape");
            let mut t_cpu = tr.clone();
            let cpu = SumcheckProver::<F, E, CpuBackend>::new(tables.clone(), terms.clone())
                .unwrap()
                .prove(claim, &mut t_cpu)
                .expect("cpu proof");
            let mut t_gpu = tr.clone();
            let gpu = SumcheckProver::<F, E, Gpu>::new(up(dev, &tables), terms.clone())
                .unwrap()
                .prove(claim, &mut t_gpu)
                .expect("gpu proof");
            assert_eq!(gpu, cpu);
            let mut t_v = tr.clone();
            let sub = verify(claim, log_n, &terms, &gpu.proof, &mut t_v).expect("verify");
            sub.check(&terms, &gpu.final_evals).expect("final check");
            assert_eq!(sub.point, gpu.point);
            // A wrong claim fails.
            let mut t_w = tr;
            let sub = verify(claim + E::ONE, log_n, &terms, &gpu.proof, &mut t_w).expect("shape");
            assert_eq!(
                sub.check(&terms, &gpu.final_evals),
                Err(SumcheckError::FinalEvaluationMismatch)
            );
        }
    };
}
