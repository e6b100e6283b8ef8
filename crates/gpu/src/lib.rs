//! GPU runtime for zkprove: device discovery, device buffers and field / NTT kernels for CUDA
//! (through `cudarc`, dynamically loaded) and OpenCL (through `opencl3`), from one kernel source.
