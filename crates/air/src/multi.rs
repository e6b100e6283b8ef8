//! Several AIRs of different heights proved together under one transcript, with LogUp buses
//! shared between them ([`TableAir`], [`AirProver::prove_tables`]).
//!
//! # Buses
//! A table sends or receives tuples on named buses ([`BusInteraction`]): on every row, a tuple
//! of linear expressions of the row and a multiplicity (a linear expression too, e.g. a selector
//! column, `0` on padding rows). The statement is that, on every bus, the multiset of sent
//! tuples (with multiplicities) equals the multiset of received ones, together with the
//! verifier's own public contributions ([`PublicTuple`]: public input/output, a memory image the
//! verifier computes). With the buses' names sorted, bus `i` has the id `i + 1`, and a tuple
//! `(f_1, …, f_k)` on it the fingerprint `id + γ_1·f_1 + … + γ_k·f_k` (independent challenges,
//! [`crate::fingerprint_challenges`]); a sent tuple contributes
//! `+m/(β − fp)`, a received one `−m/(β − fp)`. Every tuple on a bus has the same arity (checked
//! at set-up), so tuples of two buses or two arities never share a fingerprint polynomial.
//!
//! # Protocol
//! 1. The transcript absorbs every table's name, height, shape, interactions (expressions
//!    included), public values and preprocessed column indices, the bus names and the public
//!    tuples.
//! 2. **One** WHIR commitment to every table's main trace: each table's columns stacked into
//!    one multilinear polynomial as in the single-AIR protocol, cut into power-of-two parts
//!    (`m = 136` columns: 128 + 8, the padding columns to 256 never committed), and the parts
//!    packed, largest first, into one polynomial ([`Layout`]: every part aligned to its size, so
//!    a claim on a part is a claim on the whole at a point whose leading coordinates are the
//!    part's index bits).
//! 3. `β, γ` (shared by all tables); each table with interactions computes its LogUp columns
//!    `h_t = 1/(β − fp_t)`, and all of them are committed together (a second [`Layout`]); then
//!    every table's claimed sum `c_i = Σ_x Σ_t ±m_t(x)·h_t(x)` is sent.
//! 4. The verifier checks `Σ_i c_i + Σ_public ±m/(β − fp) = 0`.
//! 5. Each table runs the single-AIR zerocheck with claim `λ_i·c_i` (its constraints, the
//!    `h_t·(β − fp_t) = 1` rows, and the sum) and the reductions of its column claims to one
//!    point of its block — as [`AirProver::prove`] does before its openings.
//! 6. **One** WHIR opening per commitment proves every table's reduced value at once: the
//!    prover sends each part's value at its share of the table's reduced point
//!    ([`MultiProof::main_parts`]); the verifier checks that they combine to the reduced value
//!    (`P(c, y) = Σ_s eq(c_hi, s)·P_s(c_lo, y)`, [`Layout::weight`]) and WHIR proves every
//!    part's value (`Whir::open_many`: the claims are merged by WHIR's first combination
//!    challenge, whose term counts them, one per part). Before 2026-12-08 each table's block
//!    was its columns padded to a power of two, and the packed blocks were padded again: the
//!    zkVM's 24k-cycle run committed 2 × 2^24 values for ≈ 13 M nonzero ones; as parts,
//!    2 × 2^23. Before 2026-12-07 each table had its own two commitments and openings:
//!    for the zkVM's eight tables that was sixteen WHIR openings (≈ 60 % of its proving time and
//!    ≈ 1 MB of proof) where there are now two.
//!
//! **Preprocessed columns** ([`TableAir::preprocessed`]) are main columns whose values the
//! verifier knows (a program's text, a range table's values): the prover commits them with the
//! rest, and the verifier compares their opened values at the zerocheck point (and the next-row
//! values) with its own evaluation of their multilinear extension (`O(rows)` for the verifier).
//! A committed column that differs from the known one agrees with it at the random point with
//! probability ≤ `n/|E|`.
//!
//! # Security
//! Union bound, as [`MultiSecurityReport`]: per table the zerocheck and reduction terms of the
//! single AIR; the two shared WHIR openings at their configurations' levels (each asked at
//! `target + 3` bits, its first combination counting the parts' points,
//! `WhirConfig::with_points`; the parts' combination is a deterministic check), `n_i/|E|` per table with preprocessed columns, and one LogUp
//! term over **all** bus fractions: `N/|E|` with `N = Σ_i T_i·2^{n_i} + #public tuples`: every
//! denominator `β − fp` is linear in `(β, γ_1, …)`, so with denominators cleared the balance
//! identity is a nonzero polynomial of total degree `< N` when some bus does not balance
//! (distinct tuples give distinct linear forms). Over BabyBear⁴ (`|E| = 2^123.6`) this keeps
//! ≥ 100 bits while `N ≲ 2^23`. (The powers `γ^k` of a single challenge, as before proof
//! format v3, cost a factor of the widest tuple `w` — 12 for the zkVM.)

use zkprove_field::{ExtensionField, Field, PrimeField64, TwoAdicField};
use zkprove_hash::{MerkleHash, Transcript};
use zkprove_poly::{ColumnOps, CpuBackend};
use zkprove_whir::{Whir, WhirCommitment, WhirProof};

use crate::air::{Air, AirShape, Interaction, LinearExpr};
use crate::ops::AirOps;
use crate::proof::{ColumnReduction, TableProof};
use crate::prover::{AirProfile, AirProver, Setup, Trace, log2_ceil};
use crate::{AirError, SecurityReport};

/// The largest table height a verifier accepts (`2^MAX_LOG_ROWS` rows).
pub const MAX_LOG_ROWS: usize = 28;

/// Whether a table sends (adds) or receives (subtracts) a tuple.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `+m/(β − fp)`.
    Send,
    /// `−m/(β − fp)`.
    Receive,
}

/// One interaction of a table with a bus, on every row: the tuple and its multiplicity, as
/// linear expressions of the row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusInteraction<F> {
    /// The bus's name.
    pub bus: String,
    /// The tuple.
    pub tuple: Vec<LinearExpr<F>>,
    /// The multiplicity (0 on rows that do not interact, e.g. padding).
    pub multiplicity: LinearExpr<F>,
    /// Send or receive.
    pub direction: Direction,
}

impl<F: Field> BusInteraction<F> {
    /// Sends `tuple` with `multiplicity` on `bus`.
    pub fn send(bus: &str, tuple: Vec<LinearExpr<F>>, multiplicity: LinearExpr<F>) -> Self {
        Self { bus: bus.into(), tuple, multiplicity, direction: Direction::Send }
    }

    /// Receives `tuple` with `multiplicity` on `bus`.
    pub fn receive(bus: &str, tuple: Vec<LinearExpr<F>>, multiplicity: LinearExpr<F>) -> Self {
        Self { bus: bus.into(), tuple, multiplicity, direction: Direction::Receive }
    }
}

/// A tuple the verifier puts on a bus itself (public input/output, an initial memory image).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicTuple<F> {
    /// The bus's name.
    pub bus: String,
    /// The values.
    pub tuple: Vec<F>,
    /// Its multiplicity.
    pub multiplicity: F,
    /// Send or receive.
    pub direction: Direction,
}

/// A table of a multi-table proof: an [`Air`] (its constraints; its own `logup_terms` must be
/// empty) plus its bus interactions and preprocessed columns.
///
/// A set of tables of different kinds is one type (an `enum` dispatching to each), since
/// [`Air::eval`] is generic over the builder.
pub trait TableAir<F: Field>: Air<F> {
    /// The table's interactions with the buses.
    fn interactions(&self) -> Vec<BusInteraction<F>>;

    /// Preprocessed columns for a table of `2^log_rows` rows: `(column, values)`, values the
    /// verifier knows (computed from the AIR and its public values, which the transcript binds).
    fn preprocessed(&self, log_rows: usize) -> Vec<(usize, Vec<F>)> {
        let _ = log_rows;
        Vec::new()
    }
}

/// A proof for several tables: one WHIR commitment to every table's main trace, one to every
/// table's LogUp columns, each table's zerocheck and reductions, and one WHIR opening per
/// commitment at all the tables' points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiProof<F, E, D> {
    /// log2 of each table's rows.
    pub log_rows: Vec<usize>,
    /// Each table's claimed LogUp sum `Σ_x Σ_t ±m_t(x)·h_t(x)` (0 for a table without interactions).
    pub logup_sums: Vec<E>,
    /// The commitment to the main traces (each table's stacked columns, [`Layout`]).
    pub main_commitment: WhirCommitment<E, D>,
    /// The commitment to the LogUp columns (present when some table has interactions).
    pub aux_commitment: Option<WhirCommitment<E, D>>,
    /// Each table's zerocheck, evaluations and reductions.
    pub tables: Vec<TableProof<E>>,
    /// WHIR's opening of the main traces at every table's reduction point.
    pub main_whir: WhirProof<F, E, D>,
    /// WHIR's opening of the LogUp columns at every such table's reduction point.
    pub aux_whir: Option<WhirProof<F, E, D>>,
    /// The main commitment's parts' values at their points ([`Layout::parts`]' order): they
    /// combine to each table's reduced value, and WHIR opens each.
    pub main_parts: Vec<E>,
    /// The same for the LogUp commitment (empty without one).
    pub aux_parts: Vec<E>,
}

impl<F: PrimeField64, E: ExtensionField<F>, D: AsRef<[F]>> MultiProof<F, E, D> {
    /// The number of base-field elements (roots, OOD answers, sumcheck values, evaluations,
    /// WHIR proofs with every Merkle path in full, heights and sums).
    pub fn n_base_elements(&self) -> usize {
        let d = E::DEGREE;
        let commitment = |c: &WhirCommitment<E, D>| c.root.as_ref().len() + c.ood_answers.len() * d;
        self.log_rows.len()
            + self.logup_sums.len() * d
            + commitment(&self.main_commitment)
            + self.aux_commitment.as_ref().map_or(0, commitment)
            + self.tables.iter().map(TableProof::n_ext_elements).sum::<usize>() * d
            + self.main_whir.n_base_elements()
            + self.aux_whir.as_ref().map_or(0, WhirProof::n_base_elements)
            + (self.main_parts.len() + self.aux_parts.len()) * d
    }

    /// The proof size in bytes, each base-field element in `⌈log2 p / 8⌉` bytes.
    pub fn size_bytes(&self) -> usize {
        self.n_base_elements() * (F::NUM_BITS as usize).div_ceil(8)
    }
}

/// One piece of a table's stacked polynomial in a shared commitment: `2^log_cols` consecutive
/// columns, starting at column `col_start` (a multiple of `2^log_cols`), of a table of
/// `2^log_rows` rows whose stacked polynomial has `table_log_cols` column variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The table (an index into the proof's tables).
    pub table: usize,
    /// log2 of the table's rows.
    pub log_rows: usize,
    /// The number of column variables of the table's stacked polynomial (`⌈log2 m⌉`).
    pub table_log_cols: usize,
    /// log2 of the columns in this part.
    pub log_cols: usize,
    /// The part's first column.
    pub col_start: usize,
    /// The part's first index in the committed polynomial (a multiple of its size).
    pub offset: usize,
}

impl Part {
    /// log2 of the part's values.
    pub fn log_size(&self) -> usize {
        self.log_rows + self.log_cols
    }
}

/// Where each table's stacked polynomial lies in a commitment shared by several tables.
///
/// A table of `m` columns is split into parts of `2^b` columns, one per bit `b` set in `m`
/// (largest first, so each part starts at a multiple of its size): its stacked polynomial
/// `P(c, y)` (`⌈log2 m⌉` column variables, the columns from `m` on zero) is
/// `Σ_s eq(c_hi, s)·P_s(c_lo, y)` over its parts `P_s`, `c_hi` the column variables above the
/// part's `b` and `s` the part's index at that scale. The padding columns are never committed:
/// 136 columns are 128 + 8, not 256. The parts (`2^(b + rows)` values each) are packed
/// largest first (ties in table, then column, order), so every part starts at a multiple of its
/// size, and the whole is padded with zeros to `2^log_n`. A claim `P_s(z) = v` on a part is the
/// claim `P(b, z) = v` on the whole, `b` the part's index bits (most significant first, as
/// [`zkprove_poly::Mle`] orders variables).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The tables in the commitment (indices into the proof's tables), in table order.
    pub tables: Vec<usize>,
    /// The parts, in table order and, within a table, in column order.
    pub parts: Vec<Part>,
    /// log2 of the committed polynomial's length.
    pub log_n: usize,
}

impl Layout {
    /// The layout of `tables[i]`'s `columns[i]` columns of `2^log_rows[i]` rows.
    pub fn new(tables: Vec<usize>, log_rows: &[usize], columns: &[usize]) -> Self {
        let mut parts = Vec::new();
        for ((&table, &rows), &m) in tables.iter().zip(log_rows).zip(columns) {
            let table_log_cols = log2_ceil(m);
            let mut col_start = 0;
            for b in (0..=table_log_cols).rev() {
                if (m >> b) & 1 == 1 {
                    parts.push(Part {
                        table,
                        log_rows: rows,
                        table_log_cols,
                        log_cols: b,
                        col_start,
                        offset: 0,
                    });
                    col_start += 1 << b;
                }
            }
        }
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by(|&a, &b| parts[b].log_size().cmp(&parts[a].log_size()).then(a.cmp(&b)));
        let mut at = 0usize;
        for i in order {
            parts[i].offset = at;
            at += 1 << parts[i].log_size();
        }
        Self { tables, parts, log_n: log2_ceil(at).max(1) }
    }

    /// `(b, z_lo)`: the point of the whole polynomial for part `i`, from the point
    /// `z = (c, y)` of its table's stacked polynomial (`z_lo`: `z` less the column variables
    /// above the part's).
    pub fn point<E: Field>(&self, i: usize, z: &[E]) -> Vec<E> {
        let part = &self.parts[i];
        let size = part.log_size();
        let prefix = self.log_n - size;
        let block = part.offset >> size;
        let mut out: Vec<E> = (0..prefix)
            .map(|t| if (block >> (prefix - 1 - t)) & 1 == 1 { E::ONE } else { E::ZERO })
            .collect();
        out.extend_from_slice(&z[part.table_log_cols - part.log_cols..]);
        out
    }

    /// Part `i`'s coefficient in its table's stacked polynomial at `z = (c, y)`:
    /// `eq(c_hi, s)`, `c_hi` the column variables above the part's, `s` its index at that scale.
    pub fn weight<E: Field>(&self, i: usize, z: &[E]) -> E {
        let part = &self.parts[i];
        let hi = part.table_log_cols - part.log_cols;
        let s = part.col_start >> part.log_cols;
        (0..hi).fold(E::ONE, |acc, t| {
            let x = z[t];
            acc * if (s >> (hi - 1 - t)) & 1 == 1 { x } else { E::ONE - x }
        })
    }

    /// The indices of table `table`'s parts.
    pub fn parts_of(&self, table: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.parts.len()).filter(move |&i| self.parts[i].table == table)
    }

    /// The whole polynomial's values from each table's stacked polynomial (in `tables`' order,
    /// `2^(log_rows + table_log_cols)` values each).
    fn assemble<F: Field>(&self, blocks: Vec<Vec<F>>) -> Vec<F> {
        let mut all = vec![F::ZERO; 1 << self.log_n];
        for (t, b) in self.tables.iter().zip(blocks) {
            for part in self.parts.iter().filter(|p| p.table == *t) {
                let from = part.col_start << part.log_rows;
                let len = 1 << part.log_size();
                all[part.offset..part.offset + len].copy_from_slice(&b[from..from + len]);
            }
        }
        all
    }
}

/// For each table of `layout` with a claim, its parts' points and their values' check.
struct Openings<E> {
    /// Each part's point in the whole polynomial, in `layout.parts`' order.
    points: Vec<Vec<E>>,
    /// Each table's reduced point and value, in `layout.tables`' order.
    claims: Vec<(Vec<E>, E)>,
}

impl<E: Field> Openings<E> {
    fn new(layout: &Layout, claims: Vec<(Vec<E>, E)>) -> Result<Self, AirError> {
        if claims.len() != layout.tables.len() {
            return Err(AirError::Internal { what: "a claim per table of a layout" });
        }
        let points = (0..layout.parts.len())
            .map(|i| {
                let t = layout.tables.binary_search(&layout.parts[i].table).unwrap_or(0);
                layout.point(i, &claims[t].0)
            })
            .collect();
        Ok(Self { points, claims })
    }

    /// Whether the parts' `values` combine to every table's reduced value.
    fn check(&self, layout: &Layout, values: &[E]) -> bool {
        values.len() == layout.parts.len()
            && layout.tables.iter().zip(&self.claims).all(|(&t, (z, v))| {
                layout.parts_of(t).map(|i| layout.weight(i, z) * values[i]).sum::<E>() == *v
            })
    }
}

/// The soundness of a multi-table proof, in bits (`−log2 ε`) per term and overall.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiSecurityReport {
    /// `log2 |E|`.
    pub field_bits: f64,
    /// Each table's single-AIR terms (its `logup_bits` is `None`: LogUp is counted once below).
    pub tables: Vec<SecurityReport>,
    /// The preprocessed columns' checks: `Σ n_i/|E|` over tables that have them.
    pub fixed_bits: Option<f64>,
    /// LogUp over every bus fraction: `N/|E|`.
    pub logup_bits: Option<f64>,
    /// WHIR's level for each shared opening (main traces, then LogUp columns), from its
    /// configuration for that many points (`WhirConfig::achieved_bits`).
    pub whir_bits: Vec<f64>,
    /// `−log2` of the sum of every term.
    pub total_bits: f64,
}

/// Per table: its set-up and its known columns; the shared commitments' layouts and WHIR
/// instances.
struct Tables<F, E, H> {
    buses: Vec<String>,
    setups: Vec<Setup<F, E, H>>,
    main: (Layout, Whir<F, E, H>),
    aux: Option<(Layout, Whir<F, E, H>)>,
    security: MultiSecurityReport,
}

fn bits(eps: f64) -> f64 {
    -eps.log2()
}

impl<F, E, H> AirProver<F, E, H>
where
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
{
    /// The bus names (sorted; bus `i` has id `i + 1`), checking that a bus has one arity.
    fn buses<A: TableAir<F>>(
        airs: &[A],
        public: &[PublicTuple<F>],
    ) -> Result<Vec<String>, AirError> {
        let mut arity: std::collections::BTreeMap<String, usize> = Default::default();
        let mut add = |bus: &str, k: usize| -> Result<(), AirError> {
            match arity.get(bus) {
                Some(&a) if a != k => Err(AirError::BadAir {
                    reason: format!("bus `{bus}` carries tuples of {a} and of {k} values"),
                }),
                _ => {
                    arity.insert(bus.to_string(), k);
                    Ok(())
                }
            }
        };
        for air in airs {
            if !air.logup_terms().is_empty() {
                return Err(AirError::BadAir {
                    reason: format!(
                        "table `{}` has single-AIR LogUp terms: use bus interactions",
                        air.name()
                    ),
                });
            }
            for i in air.interactions() {
                add(&i.bus, i.tuple.len())?;
            }
        }
        for p in public {
            add(&p.bus, p.tuple.len())?;
        }
        Ok(arity.into_keys().collect())
    }

    fn bus_id(buses: &[String], bus: &str) -> Result<F, AirError> {
        buses
            .binary_search_by(|b| b.as_str().cmp(bus))
            .map(|i| F::from_u64(i as u64 + 1))
            .map_err(|_| AirError::Internal { what: "unknown bus" })
    }

    fn normalise<A: TableAir<F>>(
        air: &A,
        buses: &[String],
    ) -> Result<(Vec<Interaction<F>>, Vec<String>), AirError> {
        let mut out = Vec::new();
        let mut names = Vec::new();
        for i in air.interactions() {
            let mut tuple = vec![LinearExpr::constant(Self::bus_id(buses, &i.bus)?)];
            tuple.extend(i.tuple);
            out.push(Interaction {
                tuple,
                multiplicity: i.multiplicity,
                negate: i.direction == Direction::Receive,
            });
            names.push(i.bus);
        }
        Ok((out, names))
    }

    fn tables_setup<A: TableAir<F>>(
        &self,
        airs: &[A],
        log_rows: &[usize],
        public: &[PublicTuple<F>],
    ) -> Result<Tables<F, E, H>, AirError> {
        if airs.is_empty() || airs.len() != log_rows.len() {
            return Err(AirError::TraceShape {
                reason: format!("{} tables, {} heights", airs.len(), log_rows.len()),
            });
        }
        if let Some(&n) = log_rows.iter().find(|&&n| n > MAX_LOG_ROWS) {
            return Err(AirError::TraceShape {
                reason: format!("2^{n} rows (at most 2^{MAX_LOG_ROWS})"),
            });
        }
        let buses = Self::buses(airs, public)?;
        let mut parts = Vec::with_capacity(airs.len());
        let mut any_aux = false;
        for air in airs {
            let (lookups, _) = Self::normalise(air, &buses)?;
            any_aux |= !lookups.is_empty();
            parts.push((AirShape::of(air), lookups));
        }
        // One opening of the main traces, one of the LogUp columns, asked for 2 bits above
        // their share of the target: the LogUp term alone is close to it for the zkVM.
        let n_openings = 1 + usize::from(any_aux);
        let whir_target = self.params().security_bits + 2 + log2_ceil(n_openings);
        let field_bits = (F::ORDER_U64 as f64).log2() * E::DEGREE as f64;
        let inv_e = (-field_bits).exp2();
        let mut setups = Vec::with_capacity(airs.len());
        let mut reports = Vec::with_capacity(airs.len());
        let (mut eps, mut fixed_eps, mut n_fractions) = (0.0, 0.0, 0.0);
        for ((shape, lookups), (&n, air)) in parts.into_iter().zip(log_rows.iter().zip(airs)) {
            let setup = self.table_setup(shape, lookups, n, whir_target)?;
            // The single-AIR terms without its LogUp term and WHIR openings (counted once,
            // over all tables).
            let mut shape = setup.shape.clone();
            shape.logup = Vec::new();
            let t = setup.lookups.len();
            shape.n_constraints += t;
            let mut report = SecurityReport::new(
                &shape,
                n,
                field_bits,
                setup.main_log_cols,
                setup.aux_whir.as_ref().map(|_| setup.aux_log_cols),
                Vec::new(),
            );
            // The zerocheck's degree with LogUp is at least 3.
            if t > 0 {
                let d = setup.degree() as f64;
                let k = setup.shape.n_constraints as f64;
                let nf = n as f64;
                report.zerocheck_bits = bits((nf * d + nf + k + t as f64) * inv_e);
            }
            eps += (-report.zerocheck_bits).exp2() + (-report.reduction_bits).exp2();
            if !air.preprocessed(0).is_empty() || !air.preprocessed(n).is_empty() {
                fixed_eps += n as f64 * inv_e;
            }
            n_fractions += (t as f64) * (n as f64).exp2();
            report.total_bits = f64::NAN;
            reports.push(report);
            setups.push(setup);
        }
        n_fractions += public.len() as f64;
        let logup_eps = n_fractions * inv_e;
        // The shared commitments: every table's parts, each opened at its table's point.
        let shared = |tables: Vec<usize>, columns: Vec<usize>| -> Result<_, AirError> {
            let rows: Vec<usize> = tables.iter().map(|&i| setups[i].log_rows).collect();
            let layout = Layout::new(tables, &rows, &columns);
            let whir = Whir::with_domain_reduction(
                self.whir_params(layout.log_n, whir_target),
                self.whir_domain_reduction(layout.log_n),
                self.hasher().clone(),
            )?
            .with_points(layout.parts.len())?;
            Ok((layout, whir))
        };
        let main = shared(
            (0..setups.len()).collect(),
            setups.iter().map(|s| s.shape.n_columns).collect(),
        )?;
        let with_aux: Vec<usize> =
            (0..setups.len()).filter(|&i| setups[i].aux_whir.is_some()).collect();
        let aux = if with_aux.is_empty() {
            None
        } else {
            let columns = with_aux.iter().map(|&i| setups[i].lookups.len() * E::DEGREE).collect();
            Some(shared(with_aux.clone(), columns)?)
        };
        let mut whir_bits = vec![main.1.config().achieved_bits];
        whir_bits.extend(aux.as_ref().map(|a| a.1.config().achieved_bits));
        let whir_eps: f64 = whir_bits.iter().map(|b| (-b).exp2()).sum();
        let total = eps + fixed_eps + logup_eps + whir_eps;
        let security = MultiSecurityReport {
            field_bits,
            tables: reports,
            fixed_bits: (fixed_eps > 0.0).then(|| bits(fixed_eps)),
            logup_bits: (logup_eps > 0.0).then(|| bits(logup_eps)),
            whir_bits,
            total_bits: bits(total),
        };
        if security.total_bits < self.params().security_bits as f64 {
            return Err(AirError::Security {
                achieved: security.total_bits,
                target: self.params().security_bits,
            });
        }
        Ok(Tables { buses, setups, main, aux, security })
    }

    /// The soundness of a multi-table proof of `airs` with `2^log_rows[i]` rows and `public`
    /// tuples.
    ///
    /// # Errors
    /// As [`AirProver::prove_tables`]'s set-up.
    pub fn security_tables<A: TableAir<F>>(
        &self,
        airs: &[A],
        log_rows: &[usize],
        public: &[PublicTuple<F>],
    ) -> Result<MultiSecurityReport, AirError> {
        Ok(self.tables_setup(airs, log_rows, public)?.security)
    }

    /// The overall level in bits of [`AirProver::security_tables`].
    ///
    /// # Errors
    /// As [`AirProver::security_tables`].
    pub fn achieved_bits_tables<A: TableAir<F>>(
        &self,
        airs: &[A],
        log_rows: &[usize],
        public: &[PublicTuple<F>],
    ) -> Result<f64, AirError> {
        Ok(self.security_tables(airs, log_rows, public)?.total_bits)
    }

    fn bind_tables<A: TableAir<F>, const W: usize, const R: usize>(
        airs: &[A],
        tables: &Tables<F, E, H>,
        public: &[PublicTuple<F>],
        t: &mut Transcript<F, W, R>,
    ) -> Result<(), AirError> {
        let int = |v: usize| F::from_u64(v as u64);
        let bytes = |t: &mut Transcript<F, W, R>, s: &str| {
            t.observe(int(s.len()));
            for b in s.as_bytes() {
                t.observe(F::from_u64(u64::from(*b)));
            }
        };
        let expr = |t: &mut Transcript<F, W, R>, e: &LinearExpr<F>| {
            t.observe(int(e.terms.len()));
            for &(j, c) in &e.terms {
                t.observe(int(j));
                t.observe(c);
            }
            t.observe(e.constant);
        };
        bytes(t, "zkprove-air-multi-v3");
        t.observe(int(airs.len()));
        t.observe(int(tables.buses.len()));
        for b in &tables.buses {
            bytes(t, b);
        }
        for (air, setup) in airs.iter().zip(&tables.setups) {
            let s = &setup.shape;
            bytes(t, &air.name());
            for x in [
                setup.log_rows,
                s.n_columns,
                s.n_constraints,
                s.max_degree,
                usize::from(s.uses_next),
                setup.lookups.len(),
            ] {
                t.observe(int(x));
            }
            for i in &setup.lookups {
                t.observe(int(i.tuple.len()));
                for e in &i.tuple {
                    expr(t, e);
                }
                expr(t, &i.multiplicity);
                t.observe(int(usize::from(i.negate)));
            }
            let public_values = air.public_values();
            t.observe(int(public_values.len()));
            t.observe_slice(&public_values);
            let fixed = air.preprocessed(setup.log_rows);
            t.observe(int(fixed.len()));
            for (j, _) in &fixed {
                t.observe(int(*j));
            }
        }
        t.observe(int(public.len()));
        for p in public {
            t.observe(Self::bus_id(&tables.buses, &p.bus)?);
            t.observe(int(p.tuple.len()));
            t.observe_slice(&p.tuple);
            t.observe(p.multiplicity);
            t.observe(int(usize::from(p.direction == Direction::Receive)));
        }
        Ok(())
    }

    /// `Σ ±m/(β − fp)` over the public tuples, and the same per bus.
    fn public_sum(
        buses: &[String],
        public: &[PublicTuple<F>],
        beta: E,
        gamma_pows: &[E],
    ) -> Result<Vec<E>, AirError> {
        let mut per_bus = vec![E::ZERO; buses.len()];
        let terms: Vec<(usize, E, E, bool)> = public
            .iter()
            .map(|p| {
                let id = buses
                    .binary_search_by(|b| b.as_str().cmp(&p.bus))
                    .map_err(|_| AirError::Internal { what: "unknown bus" })?;
                let mut fp = gamma_pows[0] * F::from_u64(id as u64 + 1);
                for (&g, &v) in gamma_pows[1..].iter().zip(&p.tuple) {
                    fp += g * v;
                }
                Ok((id, beta - fp, E::from(p.multiplicity), p.direction == Direction::Receive))
            })
            .collect::<Result<_, AirError>>()?;
        let mut den: Vec<E> = terms.iter().map(|t| t.1).collect();
        if den.iter().any(|d| d.is_zero()) {
            return Err(AirError::LogUpDenominatorZero);
        }
        zkprove_field::batch_inverse_in_place(&mut den);
        for ((id, _, m, neg), inv) in terms.into_iter().zip(den) {
            let v = m * inv;
            if neg {
                per_bus[id] -= v;
            } else {
                per_bus[id] += v;
            }
        }
        Ok(per_bus)
    }

    /// Proves that `traces[i]` satisfies `airs[i]` for every table and that every bus balances
    /// with the `public` tuples, on the CPU, continuing `transcript`. The traces are checked
    /// first (constraints, preprocessed columns, every bus's balance).
    ///
    /// # Errors
    /// [`AirError::ConstraintFailed`], [`AirError::FixedColumn`], [`AirError::BusUnbalanced`]
    /// (naming the bus) for a bad witness; [`AirError::BadAir`] for a bus with two arities or a
    /// table with single-AIR LogUp terms; [`AirError::Security`]; WHIR errors.
    pub fn prove_tables<A: TableAir<F>, const W: usize, const R: usize>(
        &self,
        airs: &[A],
        traces: &[Trace<F>],
        public: &[PublicTuple<F>],
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<MultiProof<F, E, H::Digest>, AirError> {
        Ok(self.prove_tables_on::<CpuBackend, A, W, R>(airs, traces, public, transcript, true)?.0)
    }

    /// [`AirProver::prove_tables`] without the witness checks: for tests that a false claim
    /// is rejected by the verifier.
    ///
    /// # Errors
    /// As [`AirProver::prove_tables`], less the witness checks.
    pub fn prove_tables_unchecked<A: TableAir<F>, const W: usize, const R: usize>(
        &self,
        airs: &[A],
        traces: &[Trace<F>],
        public: &[PublicTuple<F>],
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<MultiProof<F, E, H::Digest>, AirError> {
        Ok(self.prove_tables_on::<CpuBackend, A, W, R>(airs, traces, public, transcript, false)?.0)
    }

    /// [`AirProver::prove_tables`] on backend `B`, with the witness checks when `check` is set,
    /// counting the host↔backend transfers.
    ///
    /// # Errors
    /// As [`AirProver::prove_tables`]; backend failures.
    #[allow(clippy::type_complexity)]
    pub fn prove_tables_on<B: AirOps<F, E>, A: TableAir<F>, const W: usize, const R: usize>(
        &self,
        airs: &[A],
        traces: &[Trace<F>],
        public: &[PublicTuple<F>],
        transcript: &mut Transcript<F, W, R>,
        check: bool,
    ) -> Result<(MultiProof<F, E, H::Digest>, AirProfile), AirError> {
        let log_rows: Vec<usize> = traces.iter().map(Trace::log_rows).collect();
        let tables = self.tables_setup(airs, &log_rows, public)?;
        let mut profile = AirProfile::default();
        let mut clock = std::time::Instant::now();
        if check {
            for ((air, setup), trace) in airs.iter().zip(&tables.setups).zip(traces) {
                crate::prover::check_rows(air, &setup.shape, trace)?;
                for (j, values) in air.preprocessed(setup.log_rows) {
                    if trace.columns().get(j).is_none_or(|c| *c != values) {
                        return Err(AirError::FixedColumn { column: j });
                    }
                }
            }
        }
        profile.lap("check", &mut clock);
        Self::bind_tables(airs, &tables, public, transcript)?;
        let f_bytes = core::mem::size_of::<F>();
        // Main traces: uploaded and stacked per table, committed together.
        let mut mains = Vec::with_capacity(airs.len());
        let mut blocks = Vec::with_capacity(airs.len());
        for (setup, trace) in tables.setups.iter().zip(traces) {
            let (cols, stacked) = Self::upload_main::<B>(setup, trace, &mut profile)?;
            profile.download(1 << (setup.log_rows + setup.main_log_cols), f_bytes);
            blocks.push(<B as ColumnOps<F>>::download(&stacked)?);
            mains.push((cols, stacked));
        }
        let (main_layout, main_whir) = &tables.main;
        let (main_commitment, main_witness) =
            main_whir.commit_evals(transcript, main_layout.assemble(blocks))?;
        profile.lap("commit", &mut clock);
        let beta: E = transcript.sample_ext();
        let width = tables.setups.iter().map(Setup::max_width).max().unwrap_or(0);
        let width = width.max(public.iter().map(|p| p.tuple.len() + 1).max().unwrap_or(0));
        let gamma_pows = crate::ops::fingerprint_challenges(transcript, width.max(1));
        // LogUp columns: per table with interactions, committed together.
        let mut auxes = Vec::with_capacity(airs.len());
        let mut sums = Vec::with_capacity(airs.len());
        let mut per_bus = vec![E::ZERO; tables.buses.len()];
        let mut blocks = Vec::new();
        for ((air, setup), (cols, _)) in airs.iter().zip(&tables.setups).zip(&mains) {
            if setup.aux_whir.is_none() {
                auxes.push(None);
                sums.push(E::ZERO);
                continue;
            }
            let aux =
                Self::aux_columns::<B>(setup, cols, (beta, &gamma_pows), check, &mut profile)?;
            sums.push(aux.sum);
            if check {
                let (_, names) = Self::normalise(air, &tables.buses)?;
                for (name, s) in names.iter().zip(&aux.per_term) {
                    let id = tables
                        .buses
                        .binary_search(name)
                        .map_err(|_| AirError::Internal { what: "unknown bus" })?;
                    per_bus[id] += *s;
                }
            }
            profile.download(1 << (setup.log_rows + setup.aux_log_cols), f_bytes);
            blocks.push(<B as ColumnOps<F>>::download(&aux.stacked)?);
            auxes.push(Some(aux));
        }
        if check {
            let public_sums = Self::public_sum(&tables.buses, public, beta, &gamma_pows)?;
            if let Some(i) =
                per_bus.iter().zip(&public_sums).position(|(&a, &b)| !(a + b).is_zero())
            {
                return Err(AirError::BusUnbalanced { bus: tables.buses[i].clone() });
            }
        }
        let mut clock = std::time::Instant::now();
        let aux_committed = match &tables.aux {
            Some((layout, whir)) => Some(whir.commit_evals(transcript, layout.assemble(blocks))?),
            None => None,
        };
        profile.lap("commit", &mut clock);
        for sum in &sums {
            transcript.observe_ext(sum);
        }
        // Per table: the zerocheck and the reductions of its column claims.
        let mut proofs = Vec::with_capacity(airs.len());
        let (mut main_claims, mut aux_claims) = (Vec::new(), Vec::new());
        for (i, ((air, setup), ((cols, main_stacked), aux))) in
            airs.iter().zip(&tables.setups).zip(mains.into_iter().zip(auxes)).enumerate()
        {
            let (aux_cols, aux_stacked) = match aux {
                Some(a) => (Some((a.h, a.coords)), Some(a.stacked)),
                None => (None, None),
            };
            let gp = if aux_cols.is_some() { gamma_pows.clone() } else { Vec::new() };
            let z = Self::zerocheck_evals::<B, A, W, R>(
                air,
                setup,
                (cols, aux_cols),
                (beta, gp),
                sums[i],
                transcript,
                &mut profile,
            )?;
            let (reduction, value, point) = Self::reduce_columns::<B, W, R>(
                transcript,
                main_stacked,
                setup.main_log_cols,
                (&z.main_evals, &z.next_evals),
                &z.eq_r,
                &mut profile,
            )?;
            main_claims.push((point, value));
            let main_reduction = ColumnReduction { reduction, value };
            let aux_reduction = match (aux_stacked, &tables.aux) {
                (Some(stacked), Some(_)) => {
                    let (reduction, value, point) = Self::reduce_columns::<B, W, R>(
                        transcript,
                        stacked,
                        setup.aux_log_cols,
                        (&z.aux_evals, &[]),
                        &z.eq_r,
                        &mut profile,
                    )?;
                    aux_claims.push((point, value));
                    Some(ColumnReduction { reduction, value })
                }
                _ => None,
            };
            proofs.push(TableProof {
                zerocheck: z.zerocheck,
                main_evals: z.main_evals,
                next_evals: z.next_evals,
                aux_evals: z.aux_evals,
                main_reduction,
                aux_reduction,
            });
        }
        // One WHIR opening per commitment, at every part's point; the parts' values combine to
        // each table's reduced value.
        let mut clock = std::time::Instant::now();
        let open = |(layout, whir): &(Layout, Whir<F, E, H>),
                    witness,
                    claims: Vec<(Vec<E>, E)>,
                    transcript: &mut Transcript<F, W, R>| {
            let openings = Openings::new(layout, claims)?;
            let refs: Vec<&[E]> = openings.points.iter().map(Vec::as_slice).collect();
            let (opened, proof) = whir.open_many(transcript, witness, &refs)?;
            if !openings.check(layout, &opened) {
                return Err(AirError::Internal {
                    what: "WHIR opened values that do not combine to the reduction's",
                });
            }
            Ok((opened, proof))
        };
        let (main_parts, main_proof) = open(&tables.main, &main_witness, main_claims, transcript)?;
        let (aux_parts, aux_proof) = match (&tables.aux, &aux_committed) {
            (Some(aux), Some((_, witness))) => {
                let (parts, proof) = open(aux, witness, aux_claims, transcript)?;
                (parts, Some(proof))
            }
            _ => (Vec::new(), None),
        };
        profile.lap("whir_open", &mut clock);
        Ok((
            MultiProof {
                log_rows,
                logup_sums: sums,
                main_commitment,
                aux_commitment: aux_committed.map(|(c, _)| c),
                tables: proofs,
                main_whir: main_proof,
                aux_whir: aux_proof,
                main_parts,
                aux_parts,
            },
            profile,
        ))
    }

    /// Verifies a multi-table proof of `airs` with the `public` tuples, on a transcript in the
    /// state the prover's was in.
    ///
    /// # Errors
    /// [`AirError::ProofShape`] for a malformed proof; [`AirError::BusSum`] when the claimed
    /// sums and the public contributions do not cancel; [`AirError::FixedColumn`]; and each
    /// table's errors as [`AirProver::verify`].
    pub fn verify_tables<A: TableAir<F>, const W: usize, const R: usize>(
        &self,
        airs: &[A],
        public: &[PublicTuple<F>],
        proof: &MultiProof<F, E, H::Digest>,
        transcript: &mut Transcript<F, W, R>,
    ) -> Result<(), AirError> {
        if proof.tables.len() != airs.len()
            || proof.log_rows.len() != airs.len()
            || proof.logup_sums.len() != airs.len()
        {
            return Err(AirError::ProofShape { what: "number of tables" });
        }
        let tables = self.tables_setup(airs, &proof.log_rows, public)?;
        for (setup, p) in tables.setups.iter().zip(&proof.tables) {
            Self::check_table_shape(setup, p)?;
        }
        if proof.aux_commitment.is_some() != tables.aux.is_some()
            || proof.aux_whir.is_some() != tables.aux.is_some()
        {
            return Err(AirError::ProofShape { what: "LogUp commitment" });
        }
        Self::bind_tables(airs, &tables, public, transcript)?;
        let main_whir = &tables.main.1;
        let main_received = main_whir.receive_commitment(transcript, &proof.main_commitment)?;
        let beta: E = transcript.sample_ext();
        let width = tables.setups.iter().map(Setup::max_width).max().unwrap_or(0);
        let width = width.max(public.iter().map(|p| p.tuple.len() + 1).max().unwrap_or(0));
        let gamma_pows = crate::ops::fingerprint_challenges(transcript, width.max(1));
        let aux_received = match (&tables.aux, &proof.aux_commitment) {
            (Some((_, whir)), Some(c)) => Some(whir.receive_commitment(transcript, c)?),
            _ => None,
        };
        let mut total = E::ZERO;
        for (setup, &sum) in tables.setups.iter().zip(&proof.logup_sums) {
            if setup.aux_whir.is_none() && !sum.is_zero() {
                return Err(AirError::ProofShape { what: "LogUp sum of a table without buses" });
            }
            transcript.observe_ext(&sum);
            total += sum;
        }
        let public_sums = Self::public_sum(&tables.buses, public, beta, &gamma_pows)?;
        if !(total + public_sums.into_iter().sum::<E>()).is_zero() {
            return Err(AirError::BusSum);
        }
        let (mut main_claims, mut aux_claims) = (Vec::new(), Vec::new());
        for (i, air) in airs.iter().enumerate() {
            let setup = &tables.setups[i];
            let p = &proof.tables[i];
            let fixed_owned = air.preprocessed(setup.log_rows);
            let fixed: Vec<(usize, &[F])> =
                fixed_owned.iter().map(|(j, v)| (*j, v.as_slice())).collect();
            let gp = if setup.aux_whir.is_some() { gamma_pows.clone() } else { Vec::new() };
            let r = Self::verify_zerocheck(
                air,
                setup,
                (&p.zerocheck, &p.main_evals, &p.next_evals, &p.aux_evals),
                (beta, gp),
                proof.logup_sums[i],
                &fixed,
                transcript,
            )?;
            let z = Self::verify_reduction(
                transcript,
                (&p.main_reduction.reduction, p.main_reduction.value),
                setup.main_log_cols,
                (&p.main_evals, &p.next_evals),
                &r,
                "main",
            )?;
            main_claims.push((z, p.main_reduction.value));
            if let (Some(_), Some(red)) = (&tables.aux, &p.aux_reduction) {
                let z = Self::verify_reduction(
                    transcript,
                    (&red.reduction, red.value),
                    setup.aux_log_cols,
                    (&p.aux_evals, &[]),
                    &r,
                    "LogUp",
                )?;
                aux_claims.push((z, red.value));
            }
        }
        // Each commitment's parts: their values must combine to every table's reduced value,
        // and WHIR checks each at its point.
        let verify = |(layout, whir): &(Layout, Whir<F, E, H>),
                      received,
                      claims: Vec<(Vec<E>, E)>,
                      parts: &[E],
                      whir_proof,
                      which: &'static str,
                      transcript: &mut Transcript<F, W, R>| {
            let openings =
                Openings::new(layout, claims).map_err(|_| AirError::ProofShape { what: which })?;
            if !openings.check(layout, parts) {
                return Err(AirError::OpeningMismatch { which });
            }
            let refs: Vec<&[E]> = openings.points.iter().map(Vec::as_slice).collect();
            whir.verify_many(transcript, received, &refs, parts, whir_proof)?;
            Ok(())
        };
        verify(
            &tables.main,
            &main_received,
            main_claims,
            &proof.main_parts,
            &proof.main_whir,
            "main",
            transcript,
        )?;
        match (&tables.aux, &aux_received, &proof.aux_whir) {
            (Some(aux), Some(received), Some(whir_proof)) => verify(
                aux,
                received,
                aux_claims,
                &proof.aux_parts,
                whir_proof,
                "LogUp",
                transcript,
            )?,
            _ if !proof.aux_parts.is_empty() => {
                return Err(AirError::ProofShape { what: "LogUp parts" });
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use zkprove_field::babybear::BabyBearExt4;
    use zkprove_poly::Mle;

    /// Every table's stacked polynomial at a random point is the weighted sum of its parts'
    /// values, each read from the assembled whole at its part's point; parts are aligned,
    /// disjoint, and the padding columns take no room.
    #[test]
    fn parts_combine_to_each_tables_stacked_value() {
        let mut rng = StdRng::seed_from_u64(5);
        // (rows, columns): 136 = 128 + 8 columns, 7 = 4 + 2 + 1, powers of two, one column.
        let shapes = [(2usize, 136usize), (3, 7), (4, 4), (1, 1), (3, 12), (2, 3)];
        let tables: Vec<usize> = (0..shapes.len()).collect();
        let rows: Vec<usize> = shapes.iter().map(|s| s.0).collect();
        let cols: Vec<usize> = shapes.iter().map(|s| s.1).collect();
        let layout = Layout::new(tables, &rows, &cols);
        let total: usize = shapes.iter().map(|&(n, m)| m << n).sum();
        assert_eq!(layout.log_n, log2_ceil(total));
        let mut spans: Vec<(usize, usize)> =
            layout.parts.iter().map(|p| (p.offset, p.offset + (1 << p.log_size()))).collect();
        spans.sort_unstable();
        assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "overlapping parts");
        assert!(layout.parts.iter().all(|p| p.offset % (1 << p.log_size()) == 0));
        let stacked: Vec<Vec<BabyBearExt4>> = shapes
            .iter()
            .map(|&(n, m)| {
                let l = log2_ceil(m);
                (0..1usize << (n + l))
                    .map(|i| {
                        if i >> n < m { BabyBearExt4::random(&mut rng) } else { BabyBearExt4::ZERO }
                    })
                    .collect()
            })
            .collect();
        let whole = Mle::new(layout.assemble(stacked.clone())).expect("pow2");
        for (t, table) in stacked.iter().enumerate() {
            let vars = table.len().trailing_zeros() as usize;
            let z: Vec<BabyBearExt4> = (0..vars).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let want = Mle::new(table.clone()).expect("pow2").evaluate(&z).expect("dims");
            let got: BabyBearExt4 = layout
                .parts_of(t)
                .map(|i| layout.weight(i, &z) * whole.evaluate(&layout.point(i, &z)).expect("dims"))
                .sum();
            assert_eq!(got, want, "table {t}");
            assert_eq!(layout.parts_of(t).count(), cols[t].count_ones() as usize);
        }
    }
}
