//! `.ptau` reader: no panic, no allocation beyond what the input justifies, the header-only reader
//! and the partial reader agree with the full one, and a file that loads has every section's
//! number of points as its power says.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zkprove_circom::{CircomError, Ptau, PtauInfo};
use zkprove_fuzz::{cursor, with_alloc_budget};

fuzz_target!(|data: &[u8]| {
    let info = with_alloc_budget(data.len(), || PtauInfo::read_from(cursor(data), "fuzz.ptau"));
    let read = with_alloc_budget(data.len(), || Ptau::read_from(cursor(data), "fuzz.ptau"));
    let Ok(p) = read else { return };

    let info = info.expect("a ptau that loads has readable headers");
    assert_eq!(info.header, p.header, "PtauInfo vs Ptau header");
    assert_eq!(info.n_contributions, p.n_contributions, "nContributions");
    assert_eq!(info.prepared, p.lagrange.is_some(), "prepared");
    let h = p.header;
    assert!(h.power >= 1 && h.ceremony_power >= h.power, "power {h:?}");
    let (n1, n2) = (h.n_tau_g1(), h.n_tau_g2());
    assert_eq!(p.tau_g1.len(), n1, "tauG1");
    assert_eq!(p.tau_g2.len(), n2, "tauG2");
    assert_eq!(p.alpha_tau_g1.len(), n2, "alphaTauG1");
    assert_eq!(p.beta_tau_g1.len(), n2, "betaTauG1");
    if let Some(l) = &p.lagrange {
        // Levels 2^0 … 2^top concatenated: 2^(top+1) − 1 points.
        assert_eq!(l.tau_g1.len(), (4usize << h.power) - 1, "lagrange tauG1");
        assert_eq!(l.tau_g2.len(), (2usize << h.power) - 1, "lagrange tauG2");
        assert_eq!(l.alpha_tau_g1.len(), (2usize << h.power) - 1, "lagrange alphaTauG1");
        assert_eq!(l.beta_tau_g1.len(), (2usize << h.power) - 1, "lagrange betaTauG1");
        for log_n in 0..=h.power {
            let level = l.tau_g2_level(log_n).expect("every level up to power");
            assert_eq!(level.len(), 1 << log_n, "lagrange tauG2 level {log_n}");
        }
        assert!(l.tau_g2_level(h.power + 1).is_none(), "no G2 level past power");
        assert_eq!(l.tau_g1_level(h.power + 1).map(<[_]>::len), Some(2usize << h.power));
    }

    // The first powers, read alone, are the full file's (or their G2 points fail the subgroup
    // check, which only this reader makes).
    let (k1, k2) = (n1.min(5), n2.min(3));
    match Ptau::read_powers_from(cursor(data), "fuzz.ptau", k1, k2) {
        Ok(pw) => {
            assert_eq!(pw.header, h);
            assert_eq!(pw.tau_g1, p.tau_g1[..k1], "tauG1 prefix");
            assert_eq!(pw.tau_g2, p.tau_g2[..k2], "tauG2 prefix");
        }
        Err(e) => assert!(
            matches!(
                e,
                CircomError::InvalidPoint { reason: "not in the prime-order subgroup", .. }
            ),
            "read_powers_from: {e}"
        ),
    }
    // More powers than the file holds are refused.
    assert!(Ptau::read_powers_from(cursor(data), "fuzz.ptau", n1 + 1, 0).is_err());
});
