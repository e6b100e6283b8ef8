//! Builds every field program, the MSM, Poseidon2, sumcheck and circle-FFT programs to a CUBIN with NVRTC,
//! ahead of time, for a GPU machine that has the CUDA driver but no NVRTC:
//! `cargo run -p zkprove-gpu --example build_cubins -- DIR [ARCH]` (ARCH defaults to `sm_90`),
//! then run there with `ZKPROVE_CUDA_CUBIN_DIR=DIR`.

use zkprove_gpu::FieldKind;
use zkprove_gpu::nvrtc::{self, Target};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: build_cubins DIR [ARCH]")?;
    let arch = args.next().unwrap_or_else(|| "sm_90".to_string());
    std::fs::create_dir_all(&dir)?;
    let (major, minor) = nvrtc::version()?;
    for field in FieldKind::ALL {
        let compiled =
            nvrtc::compile(&field.program_source(), field.name(), &Target::Cubin(arch.clone()))?;
        let path = std::path::Path::new(&dir).join(format!("{}.{arch}.cubin", field.program_id()));
        std::fs::write(&path, &compiled.image)?;
        println!("{} ({} bytes, NVRTC {major}.{minor})", path.display(), compiled.image.len());
    }
    for program in zkprove_gpu::MSM_PROGRAMS
        .into_iter()
        .chain(zkprove_gpu::POSEIDON2_PROGRAMS)
        .chain(zkprove_gpu::SUMCHECK_PROGRAMS)
        .chain([zkprove_gpu::CIRCLE_PROGRAM])
    {
        let compiled =
            nvrtc::compile(&(program.source)(), program.name, &Target::Cubin(arch.clone()))?;
        let path =
            std::path::Path::new(&dir).join(format!("{}.{arch}.cubin", program.program_id()));
        std::fs::write(&path, &compiled.image)?;
        println!("{} ({} bytes, NVRTC {major}.{minor})", path.display(), compiled.image.len());
    }
    Ok(())
}
