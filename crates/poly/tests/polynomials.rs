//! Polynomials and multilinear extensions against direct definitions.

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::goldilocks::{Goldilocks as F, GoldilocksExt2 as E};
use zkprove_field::{ExtensionField, Field};
use zkprove_poly::{Evaluations, Mle, PolyError, Polynomial, Radix2Domain, eq_table};

fn rand_poly(n: usize, seed: u64) -> Polynomial<F> {
    let mut rng = StdRng::seed_from_u64(seed);
    Polynomial::new((0..n).map(|_| F::random(&mut rng)).collect())
}

#[test]
fn arithmetic_and_degree() {
    let p = rand_poly(10, 1);
    let q = rand_poly(4, 2);
    let x = F::from_u64(12345);
    assert_eq!((&p + &q).evaluate(x), p.evaluate(x) + q.evaluate(x));
    assert_eq!((&p - &q).evaluate(x), p.evaluate(x) - q.evaluate(x));
    assert_eq!((&p * F::from_u64(3)).evaluate(x), p.evaluate(x) * F::from_u64(3));
    assert_eq!(p.degree(), Some(9));
    assert_eq!(Polynomial::<F>::zero().degree(), None);
    let mut z = Polynomial::new(vec![F::ONE, F::ZERO, F::ZERO]);
    assert_eq!(z.degree(), Some(0));
    z.truncate();
    assert_eq!(z.coeffs().len(), 1);
    assert!((&p - &p).is_zero());
}

#[test]
fn ntt_product_matches_schoolbook() {
    for (a, b) in [(1usize, 1usize), (3, 40), (100, 33), (1000, 1000), (513, 2)] {
        let p = rand_poly(a, a as u64);
        let q = rand_poly(b, b as u64 + 7);
        assert_eq!(p.mul(&q).unwrap(), p.mul_naive(&q), "{a}×{b}");
    }
    assert!(rand_poly(5, 1).mul(&Polynomial::zero()).unwrap().is_zero());
}

#[test]
fn parallel_horner_matches_serial() {
    let p = rand_poly(20_000, 3);
    let x = F::from_u64(987654321);
    let serial = p.coeffs().iter().rev().fold(F::ZERO, |acc, &c| acc * x + c);
    assert_eq!(p.evaluate(x), serial);
    let mut rng = StdRng::seed_from_u64(4);
    let xe = E::random(&mut rng);
    let serial_e = p.coeffs().iter().rev().fold(E::ZERO, |acc, &c| acc * xe + E::from_base(c));
    assert_eq!(p.evaluate_ext(xe), serial_e);
}

#[test]
fn division() {
    let p = rand_poly(50, 5);
    let z = F::from_u64(77);
    let (q, r) = p.divide_by_linear(z);
    assert_eq!(r, p.evaluate(z));
    let lin = Polynomial::new(vec![-z, F::ONE]);
    assert_eq!(&q.mul_naive(&lin) + &Polynomial::new(vec![r]), p);

    for (len, n) in [(50usize, 8usize), (8, 8), (5, 8), (64, 16), (17, 1)] {
        let p = rand_poly(len, len as u64 * 31 + n as u64);
        let c = F::from_u64(9);
        let (q, r) = p.divide_by_binomial(n, c);
        assert!(r.coeffs().len() <= n);
        let mut b = vec![F::ZERO; n + 1];
        b[0] = -c;
        b[n] = F::ONE;
        let recomposed = &q.mul_naive(&Polynomial::new(b)) + &r;
        let mut lhs = recomposed.clone();
        lhs.truncate();
        let mut rhs = p.clone();
        rhs.truncate();
        assert_eq!(lhs, rhs, "len {len}, n {n}");
    }
    // A multiple of the vanishing polynomial leaves no remainder.
    let dom = Radix2Domain::<F>::coset(3, F::from_u64(5)).unwrap();
    let m = dom.vanishing_polynomial().mul_naive(&rand_poly(6, 9));
    let (_, r) = m.divide_by_binomial(8, F::from_u64(5).pow(8));
    assert!(r.is_zero());
    for x in dom.elements() {
        assert!(dom.evaluate_vanishing(x).is_zero());
    }
}

#[test]
fn interpolation() {
    let p = rand_poly(6, 11);
    let xs: Vec<F> = (1..=6).map(F::from_u64).collect();
    let ys: Vec<F> = xs.iter().map(|&x| p.evaluate(x)).collect();
    assert_eq!(Polynomial::interpolate(&xs, &ys).unwrap(), p);
    let dup = [F::ONE, F::ONE];
    assert_eq!(Polynomial::interpolate(&dup, &dup), Err(PolyError::RepeatedPoint { index: 0 }));
    assert!(Polynomial::interpolate(&xs, &ys[..2]).is_err());

    for shift in [F::ONE, F::from_u64(7)] {
        let dom = Radix2Domain::coset(6, shift).unwrap();
        let p = rand_poly(64, 12);
        let evals = p.evaluate_over_domain(&dom).unwrap();
        for (i, v) in evals.values().iter().enumerate() {
            assert_eq!(*v, p.evaluate(dom.element(i)));
        }
        assert_eq!(evals.interpolate().unwrap(), p);
        // LDE: same polynomial on a 4× larger coset.
        let lde = evals.lde(2, F::from_u64(3)).unwrap();
        assert_eq!(lde.values().len(), 256);
        for i in [0usize, 1, 100, 255] {
            assert_eq!(lde.values()[i], p.evaluate(lde.domain().element(i)));
        }
    }
    // Polynomials longer than the domain fold exactly (Xⁿ = sⁿ on s·H).
    let dom = Radix2Domain::coset(3, F::from_u64(2)).unwrap();
    let p = rand_poly(20, 13);
    let evals = p.evaluate_over_domain(&dom).unwrap();
    for (i, v) in evals.values().iter().enumerate() {
        assert_eq!(*v, p.evaluate(dom.element(i)));
    }
    assert!(Evaluations::new(vec![F::ONE; 3], dom).is_err());
    assert!(Radix2Domain::<F>::coset(3, F::ZERO).is_err());
    assert!(Radix2Domain::<F>::new(33).is_err());
    assert_eq!(Radix2Domain::<F>::for_size(5).unwrap().size(), 8);
}

#[test]
fn multilinear() {
    let mut rng = StdRng::seed_from_u64(21);
    for k in [0usize, 1, 2, 5, 13] {
        let table: Vec<F> = (0..1 << k).map(|_| F::random(&mut rng)).collect();
        let f = Mle::new(table.clone()).unwrap();
        assert_eq!(f.n_variables(), k);
        assert_eq!(f.sum_over_hypercube(), table.iter().copied().sum::<F>());
        let r: Vec<E> = (0..k).map(|_| E::random(&mut rng)).collect();
        // f(r) = Σ eq(r, x) f(x).
        let eq = eq_table(&r);
        assert_eq!(eq.len(), 1 << k);
        assert_eq!(eq.iter().copied().sum::<E>(), E::ONE);
        let direct: E = eq.iter().zip(&table).map(|(&e, &t)| e * t).sum();
        assert_eq!(f.evaluate(&r).unwrap(), direct, "k = {k}");
        // On boolean points the MLE agrees with the table.
        if k > 0 {
            let idx = (1usize << k) - 2;
            let bits: Vec<F> =
                (0..k).map(|j| F::from_u64(((idx >> (k - 1 - j)) & 1) as u64)).collect();
            assert_eq!(f.evaluate(&bits).unwrap(), table[idx]);
            // Fixing the last variable first gives the same value.
            let mut g = f.fix_last_variable(r[k - 1]);
            for j in (0..k - 1).rev() {
                g = g.fix_last_variable(r[j]);
            }
            assert_eq!(g.evals()[0], direct);
        }
        assert!(f.evaluate(&vec![E::ONE; k + 1]).is_err());
    }
    assert!(Mle::new(vec![F::ONE; 3]).is_err());
}
