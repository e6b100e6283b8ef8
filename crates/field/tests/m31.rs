//! M31, CM31 and QM31: the shared field laws, known answers, and differential tests against
//! Plonky3's `Mersenne31`, `Complex<Mersenne31>` and `BinomialExtensionField<Complex<Mersenne31>, 2>`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use p3_field::extension::Complex;
use p3_field::{BasedVectorSpace, Field as _, PrimeField32};
use p3_mersenne_31::Mersenne31;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::m31::{CM31, M31, P, QM31};
use zkprove_field::{ExtensionField, Field, PackedField, PrimeField, PrimeField64};

type P3Qm31 = p3_mersenne_31::QM31;

zkprove_field_testing::test_prime_field!(m31, zkprove_field::m31::M31);
zkprove_field_testing::test_extension_field!(
    cm31_over_m31,
    zkprove_field::m31::M31,
    zkprove_field::m31::CM31
);
zkprove_field_testing::test_extension_field!(
    qm31_over_cm31,
    zkprove_field::m31::CM31,
    zkprove_field::m31::QM31
);
zkprove_field_testing::test_extension_field!(
    qm31_over_m31,
    zkprove_field::m31::M31,
    zkprove_field::m31::QM31
);

#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
zkprove_field_testing::test_packed_field!(packed_avx512, zkprove_field::m31::PackedM31Avx512);
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
zkprove_field_testing::test_packed_field!(packed_avx2, zkprove_field::m31::PackedM31Avx2);

/// Values at the edges of the reductions.
const EDGES: [u32; 8] = [0, 1, 2, P - 1, P - 2, 1 << 30, (1 << 30) - 1, (1 << 30) + 1];

fn m(v: u32) -> M31 {
    M31::new(v)
}

fn cm(re: u32, im: u32) -> CM31 {
    CM31::new_complex(m(re), m(im))
}

fn qm(a: u32, b: u32, c: u32, d: u32) -> QM31 {
    QM31::from_m31(m(a), m(b), m(c), m(d))
}

#[test]
fn constants_and_reduction() {
    const C: M31 = M31::new(u32::MAX);
    assert_eq!(C.as_canonical_u32(), 1, "2^32 − 1 = 2p + 1");
    assert_eq!(M31::new(P), M31::ZERO);
    assert_eq!(M31::new(P + 5), m(5));
    assert_eq!(M31::new(1 << 31), M31::ONE);
    assert_eq!(M31::new_checked(P), None);
    assert_eq!(M31::new_checked(P - 1), Some(M31::NEG_ONE));
    assert_eq!(M31::from_u64(u64::MAX).as_canonical_u64(), u64::MAX % u64::from(P));
    assert_eq!(M31::from_u64(u64::from(P) * u64::from(P)), M31::ZERO);
    for v in [0u64, 1, P as u64, (P as u64) << 31, (1 << 62) - 1, 1 << 63, 0xdead_beef_cafe_f00d] {
        assert_eq!(M31::from_u64(v).as_canonical_u64(), v % u64::from(P), "from_u64({v})");
    }
    assert_eq!(M31::ORDER_U64, (1 << 31) - 1);
    assert_eq!(M31::order_string(), "2147483647");
    assert_eq!(format!("{}", M31::NEG_ONE), "2147483646");
    assert_eq!(format!("{:?}", m(42)), "42");
    assert_eq!(M31::NEG_ONE.to_bytes_le(), [0xfe, 0xff, 0xff, 0x7f]);
    assert!(m(3) < m(4) && M31::NEG_ONE > m(1 << 30));
}

#[test]
fn known_answers() {
    // 2⁻¹ = 2^30 (2·2^30 = 2^31 ≡ 1).
    assert_eq!(M31::TWO.inverse(), Some(m(1 << 30)));
    assert_eq!(M31::NEG_ONE.inverse(), Some(M31::NEG_ONE));
    assert_eq!(M31::NEG_ONE * M31::NEG_ONE, M31::ONE);
    assert_eq!(m(1 << 30) * m(1 << 30), m(1 << 29), "2^60 = 2^29 · 2^31 ≡ 2^29");
    // x^(p−1) = 1 (Fermat) and the multiplicative group has order p − 1 = 2·3²·7·11·31·151·331.
    assert_eq!(m(7).pow(u64::from(P) - 1), M31::ONE);
    // 7 generates M31^× (Plonky3 and stwo use 7): 7^((p−1)/q) ≠ 1 for each prime q | p − 1.
    for q in [2u64, 3, 7, 11, 31, 151, 331] {
        assert_ne!(m(7).pow((u64::from(P) - 1) / q), M31::ONE, "q = {q}");
    }
    // CM31: i² = −1, (2 + i)² = 3 + 4i, (1 + 2i)(3 + 4i) = −5 + 10i.
    let i = cm(0, 1);
    assert_eq!(i * i, CM31::NEG_ONE);
    assert_eq!(cm(2, 1).square(), cm(3, 4));
    assert_eq!(cm(1, 2) * cm(3, 4), CM31::new_complex(-m(5), m(10)));
    assert_eq!(cm(3, 4).conjugate(), CM31::new_complex(m(3), -m(4)));
    assert_eq!(cm(3, 4) * cm(3, 4).conjugate(), CM31::from(m(25)));
    // QM31: u² = 2 + i, and (1 + 2i + 3u + 4iu)(5 + 6i + 7u + 8iu) worked by hand in the tower:
    // a = 1 + 2i, b = 3 + 4i, c = 5 + 6i, d = 7 + 8i; (a + bu)(c + du) = ac + bd(2 + i) + (ad + bc)u
    // ac = −7 + 16i, bd = −11 + 52i, bd(2 + i) = −74 + 93i, ad = −9 + 22i, bc = −9 + 38i.
    let u = qm(0, 0, 1, 0);
    assert_eq!(u * u, qm(2, 1, 0, 0));
    let prod = qm(1, 2, 3, 4) * qm(5, 6, 7, 8);
    assert_eq!(prod, QM31::from_m31(-m(81), m(109), -m(18), m(60)));
    assert_eq!(prod.to_m31_array(), [-m(81), m(109), -m(18), m(60)]);
    // The same product in Plonky3.
    let theirs = p3_qm31(&qm(1, 2, 3, 4)) * p3_qm31(&qm(5, 6, 7, 8));
    assert_eq!(p3_qm31(&prod), theirs);
    // The flattened basis 1, i, u, iu.
    let x = qm(10, 20, 30, 40);
    assert_eq!(<QM31 as ExtensionField<M31>>::as_base_slice(&x), &[m(10), m(20), m(30), m(40)]);
    assert_eq!(
        <QM31 as ExtensionField<M31>>::from_base_slice(&[m(10), m(20), m(30), m(40)]),
        Ok(x)
    );
    assert!(<QM31 as ExtensionField<M31>>::from_base_slice(&[m(1); 3]).is_err());
    assert!(<QM31 as ExtensionField<M31>>::is_in_base_field(&QM31::from(m(9))));
    assert!(!<QM31 as ExtensionField<M31>>::is_in_base_field(&qm(9, 1, 0, 0)));
    assert_eq!(x * m(2), qm(20, 40, 60, 80));
    assert_eq!(x + m(2), qm(12, 20, 30, 40));
    assert_eq!(x - m(12), qm(P - 2, 20, 30, 40));
    // The order of QM31^× is p⁴ − 1: x^(p⁴−1) = 1 for a random x, via limbs.
    let order_minus_1: u128 = (u128::from(P)).pow(4) - 1;
    let limbs = [order_minus_1 as u64, (order_minus_1 >> 64) as u64];
    assert_eq!(qm(3, 1, 4, 1).pow_limbs(&limbs), QM31::ONE);
}

// ---- Differential tests against Plonky3 -------------------------------------------------------

fn p3_m31(x: &M31) -> Mersenne31 {
    Mersenne31::new(x.as_canonical_u32())
}

fn p3_cm31(x: &CM31) -> Complex<Mersenne31> {
    Complex::new_complex(p3_m31(&x.re()), p3_m31(&x.im()))
}

fn p3_qm31(x: &QM31) -> P3Qm31 {
    let [c0, c1] = *x.coeffs();
    P3Qm31::new([p3_cm31(&c0), p3_cm31(&c1)])
}

/// Applies the same random sequence of operations to our values and to Plonky3's, over a register
/// file seeded with edge values and random ones, and compares after every step through `conv`
/// (Plonky3's `==` compares canonical values).
fn differential<O: Field, T: p3_field::Field>(conv: impl Fn(&O) -> T, edges: &[O], n_steps: usize) {
    let mut rng = StdRng::seed_from_u64(0x3131_2026);
    let mut ours: Vec<O> = edges.to_vec();
    ours.extend((0..8).map(|_| O::random(&mut rng)));
    let mut theirs: Vec<T> = ours.iter().map(&conv).collect();
    let n = ours.len();
    for step in 0..n_steps {
        let (i, j, k) = (rng.random_range(0..n), rng.random_range(0..n), rng.random_range(0..n));
        let (a, b) = (ours[i], ours[j]);
        let (x, y) = (theirs[i], theirs[j]);
        let (r, s) = match rng.random_range(0..7) {
            0 => (a + b, x + y),
            1 => (a - b, x - y),
            2 => (a * b, x * y),
            3 => (a.square(), x.square()),
            4 => (-a, -x),
            5 => (a.double(), x.double()),
            _ => match (a.inverse(), x.try_inverse()) {
                (Some(r), Some(s)) => (r, s),
                (None, None) => (a, x),
                (r, s) => panic!("step {step}: inverse disagrees on {a:?}: {r:?} vs {s:?}"),
            },
        };
        assert_eq!(conv(&r), s, "step {step}: operands {a:?}, {b:?}");
        // Keep the register file from collapsing to zero: refresh a slot now and then.
        ours[k] = r;
        theirs[k] = s;
        if r.is_zero() || step % 64 == 0 {
            let fresh = O::random(&mut rng);
            let slot = rng.random_range(0..n);
            ours[slot] = fresh;
            theirs[slot] = conv(&fresh);
        }
    }
}

#[test]
fn differential_m31() {
    let edges: Vec<M31> = EDGES.iter().map(|&v| m(v)).collect();
    // Every pair of edge values, exhaustively.
    for a in &edges {
        for b in &edges {
            let (x, y) = (p3_m31(a), p3_m31(b));
            assert_eq!(p3_m31(&(*a * *b)), x * y, "{a} · {b}");
            assert_eq!(p3_m31(&(*a + *b)), x + y, "{a} + {b}");
            assert_eq!(p3_m31(&(*a - *b)), x - y, "{a} − {b}");
        }
        assert_eq!(a.inverse().map(|i| p3_m31(&i)), p3_m31(a).try_inverse());
    }
    differential(p3_m31, &edges, 20_000);
}

#[test]
fn differential_cm31() {
    let edges: Vec<CM31> = EDGES.iter().zip(EDGES.iter().rev()).map(|(&a, &b)| cm(a, b)).collect();
    differential(p3_cm31, &edges, 10_000);
}

#[test]
fn differential_qm31() {
    let edges: Vec<QM31> = EDGES
        .iter()
        .zip(EDGES.iter().rev())
        .map(|(&a, &b)| qm(a, b, b, a))
        .chain([qm(0, 0, 1, 0)])
        .collect();
    differential(p3_qm31, &edges, 10_000);
    // The lazily reduced product (every coordinate a sum of 64-bit products) on every operand
    // pair whose coordinates are extreme: 4^8 products against Plonky3's.
    let ext = [0, 1, P - 2, P - 1];
    let all: Vec<QM31> = (0..256usize)
        .map(|k| qm(ext[k & 3], ext[(k >> 2) & 3], ext[(k >> 4) & 3], ext[k >> 6]))
        .collect();
    for a in &all {
        for b in &all {
            assert_eq!(p3_qm31(&(*a * *b)), p3_qm31(a) * p3_qm31(b), "{a:?} · {b:?}");
        }
    }
    // The flattened coefficients agree with Plonky3's `BasedVectorSpace<Mersenne31>` view.
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..100 {
        let x = QM31::random(&mut rng);
        let theirs: Vec<u32> =
            BasedVectorSpace::<Mersenne31>::as_basis_coefficients_slice(&p3_qm31(&x))
                .iter()
                .map(PrimeField32::as_canonical_u32)
                .collect();
        let ours: Vec<u32> = <QM31 as ExtensionField<M31>>::as_base_slice(&x)
            .iter()
            .map(M31::as_canonical_u32)
            .collect();
        assert_eq!(ours, theirs);
    }
}

/// Our packing against Plonky3's packing of the same width, lane by lane, on edge-heavy data.
#[test]
fn differential_packed() {
    type Ours = <M31 as Field>::Packing;
    type Theirs = <Mersenne31 as p3_field::Field>::Packing;
    use p3_field::PackedValue;
    let w = <Ours as PackedField>::WIDTH;
    let mut rng = StdRng::seed_from_u64(11);
    let pick = |rng: &mut StdRng| {
        if rng.random_bool(0.3) {
            m(EDGES[rng.random_range(0..EDGES.len())])
        } else {
            M31::random(rng)
        }
    };
    for _ in 0..2000 {
        let xs: Vec<M31> = (0..w).map(|_| pick(&mut rng)).collect();
        let ys: Vec<M31> = (0..w).map(|_| pick(&mut rng)).collect();
        let (a, b) = (Ours::from_fn(|i| xs[i]), Ours::from_fn(|i| ys[i]));
        for (r, op) in [(a * b, 0), (a + b, 1), (a - b, 2), (-a, 3)] {
            for lane in 0..w {
                let (px, py) = (p3_m31(&xs[lane]), p3_m31(&ys[lane]));
                let s = match op {
                    0 => px * py,
                    1 => px + py,
                    2 => px - py,
                    _ => -px,
                };
                assert_eq!(
                    r.as_slice()[lane].as_canonical_u32(),
                    s.as_canonical_u32(),
                    "op {op} lane {lane}"
                );
            }
        }
        // Through Plonky3's packed type where the widths agree.
        if <Theirs as PackedValue>::WIDTH == w {
            let pa = Theirs::from_fn(|i| p3_m31(&xs[i]));
            let pb = Theirs::from_fn(|i| p3_m31(&ys[i]));
            let prod = pa * pb;
            let theirs: Vec<u32> =
                prod.as_slice().iter().map(PrimeField32::as_canonical_u32).collect();
            let ours: Vec<u32> = (a * b).as_slice().iter().map(M31::as_canonical_u32).collect();
            assert_eq!(ours, theirs);
        }
    }
}

/// Lanes stay canonical through long chains (a non-canonical `p` in a lane would break `==`).
#[test]
fn packed_lanes_stay_canonical() {
    type Ours = <M31 as Field>::Packing;
    let w = <Ours as PackedField>::WIDTH;
    let mut rng = StdRng::seed_from_u64(13);
    let mut a = Ours::from_fn(|i| m(EDGES[i % EDGES.len()]));
    let mut b = Ours::from_fn(|_| M31::random(&mut rng));
    let mut scalar_a: Vec<M31> = a.as_slice().to_vec();
    let mut scalar_b: Vec<M31> = b.as_slice().to_vec();
    for step in 0..5000 {
        match step % 4 {
            0 => {
                a *= b;
                for i in 0..w {
                    scalar_a[i] *= scalar_b[i];
                }
            }
            1 => {
                b = a - b;
                for i in 0..w {
                    scalar_b[i] = scalar_a[i] - scalar_b[i];
                }
            }
            2 => {
                a = -(a + b);
                for i in 0..w {
                    scalar_a[i] = -(scalar_a[i] + scalar_b[i]);
                }
            }
            _ => {
                b += Ours::broadcast(M31::NEG_ONE);
                for i in 0..w {
                    scalar_b[i] += M31::NEG_ONE;
                }
            }
        }
        assert!(a.as_slice().iter().chain(b.as_slice()).all(|x| x.as_canonical_u32() < P));
        assert_eq!(a.as_slice(), &scalar_a[..]);
        assert_eq!(b.as_slice(), &scalar_b[..]);
    }
}
