# The proof's ALU program: comparisons (slt, sltu, slti, sltiu, blt, bge), byte-wise logic
# (and, or, xor, andi, ori, xori) and shifts (sll, srl, sra and their immediate forms, by 0, 1,
# 7, 8, 15, 16, 31 and by registers whose upper bits are set) on edge values (0, -1, INT_MIN,
# INT_MAX, equal operands).
# Only instructions the CPU AIR constrains. Exits with a checksum in a0.
    .option norelax
    .section .text.start, "ax"
    .globl _start
_start:
    addi a0, zero, 0
    lui s0, 0x80000             # INT_MIN
    addi s1, s0, -1             # INT_MAX
    addi s2, zero, -1
    addi s3, zero, 5
    # Comparisons: each result shifted into a0 by doubling.
    slt t0, s0, s1
    add a0, a0, a0
    add a0, a0, t0
    slt t0, s1, s0
    add a0, a0, a0
    add a0, a0, t0
    sltu t0, s0, s1
    add a0, a0, a0
    add a0, a0, t0
    sltu t0, s1, s0
    add a0, a0, a0
    add a0, a0, t0
    slt t0, s2, s3
    add a0, a0, a0
    add a0, a0, t0
    slt t0, s3, s3
    add a0, a0, a0
    add a0, a0, t0
    slti t0, s2, 0
    add a0, a0, a0
    add a0, a0, t0
    slti t0, s3, -2048
    add a0, a0, a0
    add a0, a0, t0
    sltiu t0, s3, -1            # 5 < 0xffffffff
    add a0, a0, a0
    add a0, a0, t0
    sltiu t0, s2, 2047
    add a0, a0, a0
    add a0, a0, t0
    sltu t0, zero, s3           # snez
    add a0, a0, a0
    add a0, a0, t0
    # Signed branches, taken and not.
    blt s0, s1, 1f
    addi a0, a0, 100
1:  blt s1, s0, 1f
    addi a0, a0, 200
1:  bge s2, s3, 1f
    addi a0, a0, 300
1:  bge s3, s3, 1f
    addi a0, a0, 400
1:  bge s0, s2, 1f
    addi a0, a0, 500
1:  blt s3, s2, 1f
    addi a0, a0, 600
1:  # Logic.
    lui t1, 0xf0f0f
    addi t1, t1, 0x0f0
    lui t2, 0x12345
    addi t2, t2, 0x678
    and t0, t1, t2
    add a0, a0, t0
    or t0, t1, t2
    add a0, a0, t0
    xor t0, t1, t2
    add a0, a0, t0
    xor t0, t0, s2              # not
    add a0, a0, t0
    andi t0, t2, -16
    add a0, a0, t0
    andi t0, t2, 0x7ff
    add a0, a0, t0
    ori t0, t1, -1
    add a0, a0, t0
    ori t0, s0, 0x555
    add a0, a0, t0
    xori t0, t2, -1
    add a0, a0, t0
    xori t0, t1, 0x3c
    add a0, a0, t0
    # Shifts.
    addi t3, zero, -29          # amount 3, upper bits set
    addi t4, zero, 13
    slli t0, t1, 0
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, s0, 0
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, t1, 1
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, s0, 1
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, t1, 7
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, s0, 7
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, t1, 8
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, s0, 8
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, t1, 15
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, s0, 15
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, t1, 16
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, s0, 16
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, t1, 31
    add a0, a0, t0
    xor a0, a0, t0
    slli t0, s0, 31
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, t1, 0
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, s0, 0
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, t1, 1
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, s0, 1
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, t1, 7
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, s0, 7
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, t1, 8
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, s0, 8
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, t1, 15
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, s0, 15
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, t1, 16
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, s0, 16
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, t1, 31
    add a0, a0, t0
    xor a0, a0, t0
    srli t0, s0, 31
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, t1, 0
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, s0, 0
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, t1, 1
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, s0, 1
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, t1, 7
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, s0, 7
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, t1, 8
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, s0, 8
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, t1, 15
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, s0, 15
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, t1, 16
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, s0, 16
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, t1, 31
    add a0, a0, t0
    xor a0, a0, t0
    srai t0, s0, 31
    add a0, a0, t0
    xor a0, a0, t0
    sll t0, t1, t3
    add a0, a0, t0
    sll a0, a0, t4
    xor a0, a0, t0
    sll t0, s2, t3
    add a0, a0, t0
    sll a0, a0, t4
    xor a0, a0, t0
    sll t0, s1, t3
    add a0, a0, t0
    sll a0, a0, t4
    xor a0, a0, t0
    srl t0, t1, t3
    add a0, a0, t0
    sll a0, a0, t4
    xor a0, a0, t0
    srl t0, s2, t3
    add a0, a0, t0
    sll a0, a0, t4
    xor a0, a0, t0
    srl t0, s1, t3
    add a0, a0, t0
    sll a0, a0, t4
    xor a0, a0, t0
    sra t0, t1, t3
    add a0, a0, t0
    sll a0, a0, t4
    xor a0, a0, t0
    sra t0, s2, t3
    add a0, a0, t0
    sll a0, a0, t4
    xor a0, a0, t0
    sra t0, s1, t3
    add a0, a0, t0
    sll a0, a0, t4
    xor a0, a0, t0
    addi a7, zero, 93
    ecall
