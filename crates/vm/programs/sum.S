# The zkVM proof's first program: only the instructions the CPU AIR constrains today (add, addi,
# sub, lui, jal, beq, bne, ecall exit). Sums 1..100 in a loop, round-trips through sub/add of a
# lui constant, jumps over an instruction, and exits with the sum (5050) in a0.
    .section .text.start, "ax"
    .globl _start
_start:
    addi t0, zero, 100
    addi a0, zero, 0
loop:
    add a0, a0, t0
    addi t0, t0, -1
    bne t0, zero, loop
    lui t1, 0x12345
    sub a0, a0, t1
    add a0, a0, t1
    addi t2, zero, 3
    jal t3, skip
    addi a0, a0, 1
skip:
    beq t2, zero, skip
    addi a7, zero, 93
    ecall
