//! `GET /`: a small status page rendered on the server (plain HTML and CSS; one short script only
//! shows times in the reader's time zone, the page reads the same without it), readable
//! at a glance: the queue by priority, jobs by status, proofs in the last minute, the devices of
//! this process (with utilization, memory and temperature from GPU telemetry), the GPUs of the
//! machine (power, ECC errors) and the recent failures.

use crate::api::format_time;
use crate::queue::JobRow;
use crate::telemetry::GpuSample;
use crate::worker::DeviceInfo;

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page.
pub fn render(
    depth: &[(i64, i64)],
    counts: &[(String, i64)],
    per_minute: i64,
    devices: &[DeviceInfo],
    gpus: &[GpuSample],
    failures: &[JobRow],
) -> String {
    let na = || "n/a".to_string();
    let util = |g: &GpuSample| g.gpu_util_percent.map_or_else(na, |u| format!("{u} %"));
    let memory = |g: &GpuSample| match (g.memory_used_bytes, g.memory_total_bytes) {
        (Some(u), Some(t)) => format!("{} / {} MiB", u >> 20, t >> 20),
        _ => na(),
    };
    let temp = |g: &GpuSample| g.temperature_celsius.map_or_else(na, |t| format!("{t} °C"));
    let mut h = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"5\"><title>zkprove service</title><style>\
         body{font:14px system-ui,sans-serif;margin:2em;color:#222}\
         table{border-collapse:collapse;margin-bottom:1.5em}\
         td,th{border:1px solid #ccc;padding:.3em .7em;text-align:left}\
         th{background:#f3f3f3}.bad{color:#b00;font-weight:bold}.ok{color:#070}\
         .big{font-size:2em;font-weight:bold}</style></head><body><h1>zkprove service</h1>",
    );
    h.push_str(&format!(
        "<p><span class=\"big\" id=\"proofs-per-minute\">{per_minute}</span> proofs in the last minute</p>"
    ));
    h.push_str("<h2>Jobs</h2><table id=\"jobs\"><tr>");
    let statuses = ["queued", "running", "succeeded", "failed", "cancelled"];
    for s in statuses {
        h.push_str(&format!("<th>{s}</th>"));
    }
    h.push_str("</tr><tr>");
    for s in statuses {
        let n = counts.iter().find(|(c, _)| c == s).map_or(0, |(_, n)| *n);
        h.push_str(&format!("<td>{n}</td>"));
    }
    h.push_str("</tr></table><h2>Queue by priority</h2>");
    if depth.is_empty() {
        h.push_str("<p id=\"queue\">The queue is empty.</p>");
    } else {
        h.push_str("<table id=\"queue\"><tr><th>priority</th><th>queued</th></tr>");
        for (p, n) in depth {
            h.push_str(&format!("<tr><td>{p}</td><td>{n}</td></tr>"));
        }
        h.push_str("</table>");
    }
    h.push_str(
        "<h2>Devices</h2><table id=\"devices\"><tr><th>device</th><th>state</th><th>proofs</th>\
         <th>utilization</th><th>memory</th><th>temperature</th><th>last error</th></tr>",
    );
    for d in devices {
        let state = if d.quarantined {
            "<span class=\"bad\">quarantined</span>"
        } else if d.busy {
            "<span class=\"ok\">proving</span>"
        } else {
            "idle"
        };
        let gpu = gpus.iter().find(|g| g.device == d.name);
        let (u, m, t) = gpu.map_or_else(|| (na(), na(), na()), |g| (util(g), memory(g), temp(g)));
        h.push_str(&format!(
            "<tr><td>{}</td><td>{state}</td><td>{}</td><td>{u}</td><td>{m}</td><td>{t}</td><td>{}</td></tr>",
            escape(&d.name),
            d.proofs,
            escape(d.last_error.as_deref().unwrap_or("")),
        ));
    }
    if devices.is_empty() {
        h.push_str("<tr><td colspan=\"7\">no worker in this process</td></tr>");
    }
    h.push_str("</table><h2>GPUs</h2>");
    if gpus.is_empty() {
        h.push_str("<p id=\"gpus\">No GPU telemetry (no NVIDIA driver found).</p>");
    } else {
        h.push_str(
            "<table id=\"gpus\"><tr><th>device</th><th>model</th><th>utilization</th>\
             <th>memory</th><th>temperature</th><th>power</th><th>ECC errors (corrected / uncorrected)</th></tr>",
        );
        for g in gpus {
            let power =
                g.power_milliwatts.map_or_else(na, |p| format!("{:.0} W", f64::from(p) / 1e3));
            let ecc = match (g.ecc_corrected_volatile, g.ecc_uncorrected_volatile) {
                (Some(c), Some(u)) if u > 0 => format!("{c} / <span class=\"bad\">{u}</span>"),
                (Some(c), Some(u)) => format!("{c} / {u}"),
                _ => na(),
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{power}</td><td>{ecc}</td></tr>",
                escape(&g.device),
                escape(&g.name),
                util(g),
                memory(g),
                temp(g),
            ));
        }
        h.push_str("</table>");
    }
    h.push_str("<h2>Recent failures</h2>");
    if failures.is_empty() {
        h.push_str("<p id=\"failures\">None.</p>");
    } else {
        h.push_str("<table id=\"failures\"><tr><th>finished</th><th>circuit</th><th>attempts</th><th>error</th></tr>");
        for f in failures {
            h.push_str(&format!(
                "<tr><td><time datetime=\"{t}\">{t}</time></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&f.circuit_id[..f.circuit_id.len().min(12)]),
                f.attempts,
                escape(f.error.as_deref().unwrap_or("")),
                t = f.finished_at.and_then(format_time).unwrap_or_default(),
            ));
        }
        h.push_str("</table>");
    }
    // Times in the reader's zone; marks the body so that a browser check sees the script ran.
    h.push_str(
        "<script>for(const t of document.querySelectorAll(\"time[datetime]\")){\
         const d=new Date(t.getAttribute(\"datetime\"));\
         if(!isNaN(d))t.textContent=d.toLocaleString();}\
         document.body.dataset.localTimes=\"shown\";</script>",
    );
    h.push_str("</body></html>\n");
    h
}
