//! The snarkjs `.ptau` reader (zkprove-circom) on a real file made by snarkjs (see
//! `tests/data/README.md`), and the KZG SRS built from it.

use std::io::Cursor;
use std::path::PathBuf;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_circom::{CircomError, Ptau, PtauInfo};
use zkprove_curve::bn254::{G1Affine, G1Projective, G2Affine, multi_pairing};
use zkprove_field::bn254::Fr;
use zkprove_field::{Field, TwoAdicField};
use zkprove_kzg::{KzgError, Srs};
use zkprove_poly::Polynomial;

const POWER: u32 = 6;

fn ptau_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/pot6_final.ptau")
}

fn ptau_bytes() -> Vec<u8> {
    std::fs::read(ptau_path()).expect("test ptau")
}

/// The container's sections, in file order.
fn sections(bytes: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let n = word(8) as usize;
    let mut pos = 12;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let id = word(pos);
        let size =
            u64::from_le_bytes(bytes[pos + 4..pos + 12].try_into().expect("8 bytes")) as usize;
        out.push((id, bytes[pos + 12..pos + 12 + size].to_vec()));
        pos += 12 + size;
    }
    assert_eq!(pos, bytes.len());
    out
}

fn container(sections: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"ptau".to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    for (id, data) in sections {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

fn read(bytes: Vec<u8>) -> Result<Ptau, CircomError> {
    Ptau::read_from(Cursor::new(bytes), "test.ptau")
}

#[test]
fn reads_the_snarkjs_file() {
    let info = PtauInfo::open(ptau_path()).expect("headers");
    assert_eq!((info.header.power, info.header.ceremony_power), (POWER, POWER));
    assert!(info.prepared);
    assert_eq!(info.n_contributions, 2, "one contribution and the beacon");
    assert_eq!(
        info.sections.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]
    );

    let ptau = Ptau::open(ptau_path()).expect("whole file");
    ptau.check_g2_subgroup("pot6").expect("G2 points in the subgroup");
    assert_eq!(ptau.tau_g1.len(), 127);
    assert_eq!(ptau.tau_g2.len(), 64);
    assert_eq!(ptau.alpha_tau_g1.len(), 64);
    assert_eq!(ptau.beta_tau_g1.len(), 64);
    assert_eq!(ptau.tau_g1[0], G1Affine::generator());
    assert_eq!(ptau.tau_g2[0], G2Affine::generator());
    assert!(!ptau.beta_g2.is_identity());

    // e([ατ^i]₁, [1]₂) = e([α]₁, [τ^i]₂) and e([βτ^i]₁, [1]₂) = e([τ^i]₁, [β]₂).
    for i in [1, 5, 63] {
        assert_eq!(
            multi_pairing(&[(ptau.alpha_tau_g1[i], ptau.tau_g2[0])]),
            multi_pairing(&[(ptau.alpha_tau_g1[0], ptau.tau_g2[i])])
        );
        assert_eq!(
            multi_pairing(&[(ptau.beta_tau_g1[i], ptau.tau_g2[0])]),
            multi_pairing(&[(ptau.tau_g1[i], ptau.beta_g2)])
        );
    }

    let powers = Ptau::read_powers(ptau_path(), 10, 3).expect("prefix");
    assert_eq!(powers.tau_g1, ptau.tau_g1[..10]);
    assert_eq!(powers.tau_g2, ptau.tau_g2[..3]);
    assert!(matches!(
        Ptau::read_powers(ptau_path(), 128, 2),
        Err(CircomError::InvalidHeader { field: "power", .. })
    ));
    assert!(matches!(
        Ptau::read_powers(ptau_path(), 2, 65),
        Err(CircomError::InvalidHeader { field: "power", .. })
    ));
}

#[test]
fn lagrange_sections_match_the_powers() {
    let ptau = Ptau::open(ptau_path()).expect("whole file");
    let lagrange = ptau.lagrange.as_ref().expect("prepared file");
    // Σ_i ω^(ij)·L_i(X) = X^j on a domain of size n > j.
    let g1_sum = |basis: &[G1Affine], omega: Fr, j: u64| -> G1Affine {
        let w = omega.pow(j);
        let mut acc = G1Projective::IDENTITY;
        let mut wi = Fr::ONE;
        for p in basis {
            acc += G1Projective::from(*p) * wi;
            wi *= w;
        }
        acc.to_affine()
    };
    for log_n in 0..=POWER + 1 {
        let omega = Fr::two_adic_generator(log_n as usize).expect("root");
        let basis = lagrange.tau_g1_level(log_n).expect("level");
        assert_eq!(basis.len(), 1 << log_n);
        assert_eq!(g1_sum(basis, omega, 0), ptau.tau_g1[0], "level {log_n}");
        if log_n >= 1 {
            assert_eq!(g1_sum(basis, omega, 1), ptau.tau_g1[1], "level {log_n}");
        }
        if log_n <= POWER {
            let alpha = lagrange.alpha_tau_g1_level(log_n).expect("level");
            assert_eq!(g1_sum(alpha, omega, 0), ptau.alpha_tau_g1[0], "level {log_n}");
            let beta = lagrange.beta_tau_g1_level(log_n).expect("level");
            assert_eq!(g1_sum(beta, omega, 0), ptau.beta_tau_g1[0], "level {log_n}");
            let g2: G2Affine = lagrange
                .tau_g2_level(log_n)
                .expect("level")
                .iter()
                .map(|p| zkprove_curve::bn254::G2Projective::from(*p))
                .sum::<zkprove_curve::bn254::G2Projective>()
                .to_affine();
            assert_eq!(g2, ptau.tau_g2[0], "level {log_n}");
        }
    }
    assert!(lagrange.tau_g1_level(POWER + 2).is_none());
    assert!(lagrange.tau_g2_level(POWER + 1).is_none());
}

#[test]
fn srs_from_the_ptau_is_consistent_and_works() {
    let max_degree = 126;
    let srs: Srs = Srs::from_ptau_file(ptau_path(), max_degree, 63).expect("srs");
    assert_eq!((srs.max_degree(), srs.max_points()), (126, 63));
    let g = srs.powers_g1();
    let h = srs.powers_g2();
    // e([τ^i]₁, [τ]₂) = e([τ^(i+1)]₁, [1]₂) for a few i.
    for i in [0, 1, 17, 63, 125] {
        assert_eq!(multi_pairing(&[(g[i], h[1])]), multi_pairing(&[(g[i + 1], h[0])]), "{i}");
    }
    let mut rng = StdRng::seed_from_u64(11);
    srs.check_powers(&mut rng).expect("every power consistent");

    let p = Polynomial::new((0..=max_degree).map(|_| Fr::random(&mut rng)).collect());
    let c = srs.commit(&p).expect("commit");
    let z = Fr::random(&mut rng);
    let (y, proof) = srs.open(&p, z).expect("open");
    srs.verify(&c, z, y, &proof).expect("valid");
    assert!(srs.verify(&c, z, y + Fr::ONE, &proof).is_err());
    let points: Vec<Fr> = (0..63).map(|_| Fr::random(&mut rng)).collect();
    let (values, proof) = srs.open_multi(&p, &points).expect("open");
    srs.verify_multi(&c, &points, &values, &proof).expect("valid");

    assert!(matches!(
        Srs::<zkprove_poly::CpuBackend>::from_ptau_file(ptau_path(), 127, 1),
        Err(KzgError::Ptau(CircomError::InvalidHeader { .. }))
    ));
    assert!(matches!(
        Srs::<zkprove_poly::CpuBackend>::from_ptau_file(ptau_path(), 10, 64),
        Err(KzgError::Ptau(CircomError::InvalidHeader { .. }))
    ));
}

#[test]
fn plain_and_rewritten_files() {
    let secs = sections(&ptau_bytes());
    // Without the phase-2 sections: a plain ptau.
    let plain: Vec<_> = secs.iter().filter(|(id, _)| *id <= 7).cloned().collect();
    let ptau = read(container(&plain)).expect("plain ptau");
    assert!(ptau.lagrange.is_none());
    // Sections in another order.
    let mut shuffled = secs.clone();
    shuffled.reverse();
    assert_eq!(read(container(&shuffled)).expect("any order"), read(ptau_bytes()).expect("file"));
    // Only some of the phase-2 sections.
    let partial: Vec<_> = secs.iter().filter(|(id, _)| *id != 13).cloned().collect();
    assert!(matches!(
        read(container(&partial)),
        Err(CircomError::MissingSection { section: 13, .. })
    ));
    for missing in [1, 2, 3, 6, 7] {
        let without: Vec<_> = secs.iter().filter(|(id, _)| *id != missing).cloned().collect();
        assert!(
            matches!(read(container(&without)), Err(CircomError::MissingSection { section, .. }) if section == missing),
            "{missing}"
        );
    }
}

#[test]
fn foreign_and_corrupt_files_are_rejected() {
    let bytes = ptau_bytes();
    let secs = sections(&bytes);
    let with_header = |header: Vec<u8>| {
        let mut s = secs.clone();
        s[0] = (1, header);
        container(&s)
    };
    let header = secs[0].1.clone();
    assert_eq!(header.len(), 4 + 32 + 4 + 4);

    // Another curve: BLS12-381's q (48 bytes).
    let bls_q_be = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";
    let mut bls_q: Vec<u8> = (0..48)
        .map(|i| u8::from_str_radix(&bls_q_be[2 * i..2 * i + 2], 16).expect("hex"))
        .collect();
    bls_q.reverse();
    let mut bls = 48u32.to_le_bytes().to_vec();
    bls.extend_from_slice(&bls_q);
    bls.extend_from_slice(&header[36..]);
    match read(with_header(bls)) {
        Err(e @ CircomError::WrongCurve { .. }) => {
            assert!(e.to_string().contains("BLS12-381"), "{e}")
        }
        other => panic!("expected WrongCurve, got {other:?}"),
    }
    // BN254's r instead of q.
    let mut r_header = header.clone();
    r_header[4..36].copy_from_slice(&zkprove_circom::encoding::BN254_R_LE);
    assert!(matches!(read(with_header(r_header)), Err(CircomError::WrongCurve { .. })));

    // Impossible powers.
    let set_power = |power: u32, ceremony: u32| {
        let mut h = header.clone();
        h[36..40].copy_from_slice(&power.to_le_bytes());
        h[40..44].copy_from_slice(&ceremony.to_le_bytes());
        read(with_header(h))
    };
    assert!(matches!(set_power(0, 6), Err(CircomError::InvalidHeader { field: "power", .. })));
    assert!(matches!(set_power(29, 29), Err(CircomError::InvalidHeader { field: "power", .. })));
    assert!(matches!(
        set_power(6, 5),
        Err(CircomError::InvalidHeader { field: "ceremonyPower", .. })
    ));
    // A header claiming power 5 or 7 disagrees with every section's size.
    assert!(matches!(set_power(5, 6), Err(CircomError::SectionSize { section: 2, .. })));
    assert!(matches!(set_power(7, 7), Err(CircomError::SectionSize { section: 2, .. })));
    assert!(set_power(6, 10).is_ok(), "a truncated ceremony");

    // Not a ptau at all, and another version.
    let mut zkey = bytes.clone();
    zkey[..4].copy_from_slice(b"zkey");
    assert!(matches!(read(zkey), Err(CircomError::BadMagic { expected: "ptau", .. })));
    let mut v2 = bytes.clone();
    v2[4] = 2;
    assert!(matches!(read(v2), Err(CircomError::UnsupportedVersion { found: 2, .. })));

    // A section one point short.
    let mut short = secs.clone();
    let tau_g2 = short.iter_mut().find(|(id, _)| *id == 3).expect("tauG2");
    tau_g2.1.truncate(tau_g2.1.len() - 128);
    assert!(matches!(read(container(&short)), Err(CircomError::SectionSize { section: 3, .. })));

    // A point off the curve, in the full read and in the powers-only read.
    let mut corrupt = secs.clone();
    corrupt[1].1[5 * 64 + 40] ^= 1;
    let corrupt = container(&corrupt);
    assert!(matches!(
        read(corrupt.clone()),
        Err(CircomError::InvalidPoint { section: 2, index: 5, .. })
    ));
    assert!(matches!(
        Ptau::read_powers_from(Cursor::new(corrupt.clone()), "t", 6, 2),
        Err(CircomError::InvalidPoint { section: 2, index: 5, .. })
    ));
    assert!(Ptau::read_powers_from(Cursor::new(corrupt), "t", 5, 2).is_ok(), "not read");
}

#[test]
fn truncated_files_are_rejected() {
    let bytes = ptau_bytes();
    let mut cuts: Vec<usize> = (0..64).collect();
    cuts.extend((64..bytes.len()).step_by(997));
    cuts.push(bytes.len() - 1);
    for len in cuts {
        let cut = bytes[..len].to_vec();
        assert!(
            matches!(
                PtauInfo::read_from(Cursor::new(cut.clone()), "t"),
                Err(CircomError::Truncated { .. })
            ),
            "{len}"
        );
        assert!(Ptau::read_powers_from(Cursor::new(cut.clone()), "t", 2, 2).is_err(), "{len}");
        assert!(read(cut).is_err(), "{len}");
    }
    let ptau = Ptau::read_from(Cursor::new(bytes), "t").expect("whole file");
    assert_eq!(ptau.header.power, POWER);
}

#[test]
fn commitments_match_the_lagrange_section() {
    // Committing to the interpolant of evaluations on the size-2^k domain (our inverse NTT, then
    // the monomial SRS) equals Σ evalᵢ·[L_i(τ)]₁ with snarkjs's Lagrange points.
    let ptau = Ptau::open(ptau_path()).expect("whole file");
    let lagrange = ptau.lagrange.as_ref().expect("prepared file");
    let srs: Srs = Srs::from_ptau_file(ptau_path(), 126, 1).expect("srs");
    let mut rng = StdRng::seed_from_u64(12);
    for log_n in 0..=POWER {
        let n = 1usize << log_n;
        let evals: Vec<Fr> = (0..n).map(|_| Fr::random(&mut rng)).collect();
        let domain = zkprove_poly::Radix2Domain::new(log_n as usize).expect("domain");
        let poly = zkprove_poly::Evaluations::new(evals.clone(), domain)
            .expect("evaluations")
            .interpolate()
            .expect("inverse NTT");
        let basis = lagrange.tau_g1_level(log_n).expect("level");
        let expected = zkprove_curve::msm_naive(basis, &evals).expect("lengths").to_affine();
        assert_eq!(srs.commit(&poly).expect("commit"), expected, "2^{log_n}");
    }
}
