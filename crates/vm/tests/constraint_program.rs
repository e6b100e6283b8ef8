//! The zkVM's tables as constraint programs (`zkprove_air::ConstraintProgram`, what a device
//! zerocheck interprets): for every table of every test program, the program's constraints equal
//! `Air::eval`'s at random base-field rows and extension points, and its zerocheck parts (with the
//! table's bus interactions in the prover's normal form: the bus id as the tuple's constant first
//! coordinate) equal the formula `Σ α^k C_k + Σ_t α^(K+t)(h_t(β − fp_t) − 1)`, `Σ ±m_t h_t`.

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_air::{
    Air, AirShape, ConstraintBuilder, ConstraintProgram, Direction, Interaction, LinearExpr,
    TableAir, ZerocheckChallenges,
};
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::{ExtensionField, Field};
use zkprove_vm::Program;
use zkprove_vm::prove::tables;

type F = BabyBear;
type E = BabyBearExt4;

struct Point<'a, V> {
    cur: &'a [V],
    next: &'a [V],
    first: V,
    last: V,
    out: Vec<V>,
}

impl<V: Field + From<F>> ConstraintBuilder<F> for Point<'_, V> {
    type Expr = V;
    fn current(&self) -> &[V] {
        self.cur
    }
    fn next(&self) -> &[V] {
        self.next
    }
    fn is_first_row(&self) -> V {
        self.first
    }
    fn is_last_row(&self) -> V {
        self.last
    }
    fn assert_zero(&mut self, e: V) {
        self.out.push(e);
    }
}

fn check<V: Field + From<F>, T: TableAir<F>>(
    table: &T,
    prog: &ConstraintProgram<F>,
    lookups: &[Interaction<F>],
    ch: &ZerocheckChallenges<E>,
    rng: &mut StdRng,
) where
    E: ExtensionField<V>,
{
    let m = table.n_columns();
    let cur: Vec<V> = (0..m).map(|_| V::random(rng)).collect();
    let next: Vec<V> = (0..m).map(|_| V::random(rng)).collect();
    let (first, last) = (V::random(rng), V::random(rng));
    let mut b = Point { cur: &cur, next: &next, first, last, out: Vec::new() };
    table.eval(&mut b);
    let mut got = Vec::new();
    prog.eval(&cur, &next, first, last, &mut got);
    assert_eq!(got, b.out, "{}", table.name());
    let aux: Vec<E> = (0..lookups.len()).map(|_| E::random(rng)).collect();
    let mut acc = E::ZERO;
    for (&v, &a) in b.out.iter().zip(&ch.alpha_pows) {
        acc += a * v;
    }
    let mut sum = E::ZERO;
    let lin = |e: &LinearExpr<F>| e.eval(&cur);
    for (t, term) in lookups.iter().enumerate() {
        let mut fp = E::ZERO;
        for (&g, e) in ch.gamma_pows.iter().zip(&term.tuple) {
            fp += g * lin(e);
        }
        acc += ch.alpha_pows[b.out.len() + t] * (aux[t] * (ch.beta - fp) - E::ONE);
        let s = aux[t] * lin(&term.multiplicity);
        if term.negate {
            sum -= s;
        } else {
            sum += s;
        }
    }
    assert_eq!(prog.eval_zerocheck((&cur, &next, first, last), &aux, ch), (acc, sum));
    assert_eq!(prog.eval_sum(&cur, &aux, ch), sum);
}

#[test]
fn vm_tables_as_constraint_programs() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut seen = std::collections::BTreeMap::new();
    for name in ["sum", "fib", "mem", "sieve", "alu", "sort", "sha256", "io", "count"] {
        let path = format!("{}/programs/{name}.elf", env!("CARGO_MANIFEST_DIR"));
        let elf = std::fs::read(&path).expect("elf");
        let program = Program::from_elf(&elf).expect("program");
        for table in tables(&program) {
            let shape = AirShape::of(&table);
            // Bus ids in the prover's normal form: any constant per bus will do here.
            let lookups: Vec<Interaction<F>> = table
                .interactions()
                .into_iter()
                .map(|i| {
                    let id = F::from_u64(1 + i.bus.len() as u64);
                    let mut tuple = vec![LinearExpr::constant(id)];
                    tuple.extend(i.tuple);
                    Interaction {
                        tuple,
                        multiplicity: i.multiplicity,
                        negate: i.direction == Direction::Receive,
                    }
                })
                .collect();
            let width = lookups.iter().map(|t| t.tuple.len()).max().unwrap_or(0);
            let prog = ConstraintProgram::record(&table, &shape, &lookups, width).expect("record");
            let ch = ZerocheckChallenges {
                beta: E::random(&mut rng),
                gamma_pows: (0..width).map(|_| E::random(&mut rng)).collect(),
                alpha_pows: E::random(&mut rng).powers(shape.n_constraints + lookups.len()),
                lambda: E::ONE,
            };
            for _ in 0..3 {
                check::<F, _>(&table, &prog, &lookups, &ch, &mut rng);
                check::<E, _>(&table, &prog, &lookups, &ch, &mut rng);
            }
            let key = table.name();
            seen.entry(key).or_insert_with(|| {
                format!(
                    "{} columns, {} constraints, {} interactions: {} + {} instructions, {} registers",
                    shape.n_columns,
                    shape.n_constraints,
                    lookups.len(),
                    prog.instrs().len(),
                    prog.sum_instrs().len(),
                    prog.n_regs()
                )
            });
        }
    }
    for (k, v) in &seen {
        println!("{k}: {v}");
    }
}
