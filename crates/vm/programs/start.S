# Tiny start file: set gp (the linker relaxes accesses against it), call main, exit with its
# return value (Linux exit, 93). sp is set by the loader (zkprove or qemu-riscv32).
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    call main
    li a7, 93
    ecall
