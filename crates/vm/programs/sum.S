# The zkVM proof's first program: only the instructions the CPU AIR constrains today (add, addi,
# sub, lui, auipc, jal, jalr, beq, bne, bltu, bgeu, ecall exit). Sums 1..100 in a loop, round-trips
# through sub/add of a lui constant, jumps over an instruction, compares unsigned, and exits with
# the sum (5050) in a0.
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
    auipc t4, 0
    bltu t4, zero, skip         # never: nothing is below 0
    addi t5, zero, -1
    bgeu t2, t5, skip           # never: 3 < 0xffffffff unsigned
    bltu t2, t5, done           # taken
    addi a0, a0, 1
done:
    jal ra, func                # call and return (jalr)
    addi a7, zero, 93
    ecall
func:
    addi t6, zero, 7
    ret
