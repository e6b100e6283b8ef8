//! RV32IM decoding: each text word is decoded once, at load time, into an [`Instr`].

use std::fmt;

/// An RV32IM operation (plus [`Op::Illegal`] for a word that is none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Op {
    // ALU, register–register (OP) and M extension.
    /// `add`.
    Add,
    /// `sub`.
    Sub,
    /// `sll`.
    Sll,
    /// `slt`.
    Slt,
    /// `sltu`.
    Sltu,
    /// `xor`.
    Xor,
    /// `srl`.
    Srl,
    /// `sra`.
    Sra,
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `mul`.
    Mul,
    /// `mulh`.
    Mulh,
    /// `mulhsu`.
    Mulhsu,
    /// `mulhu`.
    Mulhu,
    /// `div`.
    Div,
    /// `divu`.
    Divu,
    /// `rem`.
    Rem,
    /// `remu`.
    Remu,
    // ALU with an immediate (OP-IMM).
    /// `addi`.
    Addi,
    /// `slti`.
    Slti,
    /// `sltiu`.
    Sltiu,
    /// `xori`.
    Xori,
    /// `ori`.
    Ori,
    /// `andi`.
    Andi,
    /// `slli`.
    Slli,
    /// `srli`.
    Srli,
    /// `srai`.
    Srai,
    // Upper immediates.
    /// `lui`.
    Lui,
    /// `auipc`.
    Auipc,
    // Jumps and branches.
    /// `jal`.
    Jal,
    /// `jalr`.
    Jalr,
    /// `beq`.
    Beq,
    /// `bne`.
    Bne,
    /// `blt`.
    Blt,
    /// `bge`.
    Bge,
    /// `bltu`.
    Bltu,
    /// `bgeu`.
    Bgeu,
    // Loads and stores.
    /// `lb`.
    Lb,
    /// `lh`.
    Lh,
    /// `lw`.
    Lw,
    /// `lbu`.
    Lbu,
    /// `lhu`.
    Lhu,
    /// `sb`.
    Sb,
    /// `sh`.
    Sh,
    /// `sw`.
    Sw,
    // System.
    /// `fence`.
    Fence,
    /// `ecall`.
    Ecall,
    /// Not an RV32IM instruction this VM executes (includes `ebreak` and CSR instructions).
    Illegal,
}

/// The number of distinct [`Op`] values (opcode ids are `0..OP_COUNT`).
pub const OP_COUNT: usize = Op::Illegal as usize + 1;

/// Every [`Op`], indexed by its id (`Op as u8`).
pub const ALL_OPS: [Op; OP_COUNT] = {
    use Op::*;
    [
        Add, Sub, Sll, Slt, Sltu, Xor, Srl, Sra, Or, And, Mul, Mulh, Mulhsu, Mulhu, Div, Divu, Rem,
        Remu, Addi, Slti, Sltiu, Xori, Ori, Andi, Slli, Srli, Srai, Lui, Auipc, Jal, Jalr, Beq,
        Bne, Blt, Bge, Bltu, Bgeu, Lb, Lh, Lw, Lbu, Lhu, Sb, Sh, Sw, Fence, Ecall, Illegal,
    ]
};

impl Op {
    /// The operation with id `id`, if any.
    #[must_use]
    pub fn from_id(id: u8) -> Option<Op> {
        ALL_OPS.get(id as usize).copied()
    }

    /// The assembler mnemonic.
    #[must_use]
    pub fn mnemonic(self) -> &'static str {
        use Op::*;
        match self {
            Add => "add",
            Sub => "sub",
            Sll => "sll",
            Slt => "slt",
            Sltu => "sltu",
            Xor => "xor",
            Srl => "srl",
            Sra => "sra",
            Or => "or",
            And => "and",
            Mul => "mul",
            Mulh => "mulh",
            Mulhsu => "mulhsu",
            Mulhu => "mulhu",
            Div => "div",
            Divu => "divu",
            Rem => "rem",
            Remu => "remu",
            Addi => "addi",
            Slti => "slti",
            Sltiu => "sltiu",
            Xori => "xori",
            Ori => "ori",
            Andi => "andi",
            Slli => "slli",
            Srli => "srli",
            Srai => "srai",
            Lui => "lui",
            Auipc => "auipc",
            Jal => "jal",
            Jalr => "jalr",
            Beq => "beq",
            Bne => "bne",
            Blt => "blt",
            Bge => "bge",
            Bltu => "bltu",
            Bgeu => "bgeu",
            Lb => "lb",
            Lh => "lh",
            Lw => "lw",
            Lbu => "lbu",
            Lhu => "lhu",
            Sb => "sb",
            Sh => "sh",
            Sw => "sw",
            Fence => "fence",
            Ecall => "ecall",
            Illegal => "illegal",
        }
    }

    /// Whether the operation goes to the ALU table (arithmetic, logic, M extension, and the
    /// comparison of a branch).
    #[must_use]
    pub fn is_alu(self) -> bool {
        (self as u8) <= (Op::Srai as u8)
            || matches!(self, Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu)
    }

    /// Whether the operation reads `rs1`.
    #[must_use]
    pub fn reads_rs1(self) -> bool {
        !matches!(self, Op::Lui | Op::Auipc | Op::Jal | Op::Fence | Op::Ecall | Op::Illegal)
    }

    /// Whether the operation reads `rs2`.
    #[must_use]
    pub fn reads_rs2(self) -> bool {
        (self as u8) <= (Op::Remu as u8)
            || matches!(
                self,
                Op::Beq
                    | Op::Bne
                    | Op::Blt
                    | Op::Bge
                    | Op::Bltu
                    | Op::Bgeu
                    | Op::Sb
                    | Op::Sh
                    | Op::Sw
            )
    }

    /// Whether the operation writes `rd` (a write to `x0` is dropped).
    #[must_use]
    pub fn writes_rd(self) -> bool {
        !matches!(
            self,
            Op::Beq
                | Op::Bne
                | Op::Blt
                | Op::Bge
                | Op::Bltu
                | Op::Bgeu
                | Op::Sb
                | Op::Sh
                | Op::Sw
                | Op::Fence
                | Op::Ecall
                | Op::Illegal
        )
    }
}

/// A decoded instruction. `rd`, `rs1`, `rs2` are register numbers (0 when the format has none);
/// `imm` is the sign-extended immediate (the shift amount for `slli`/`srli`/`srai`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instr {
    /// The operation.
    pub op: Op,
    /// Destination register.
    pub rd: u8,
    /// First source register.
    pub rs1: u8,
    /// Second source register.
    pub rs2: u8,
    /// Immediate.
    pub imm: i32,
}

impl Instr {
    /// The registers `(rs1, rs2, rd)` its trace row reads and writes: its own, but `x17`, `x10`
    /// and `x10` for an `ecall` (the system call number, the argument and the result).
    #[inline(always)]
    #[must_use]
    pub fn row_registers(&self) -> (u8, u8, u8) {
        if self.op == Op::Ecall { (17, 10, 10) } else { (self.rs1, self.rs2, self.rd) }
    }
}

impl fmt::Display for Instr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rd=x{} rs1=x{} rs2=x{} imm={}",
            self.op.mnemonic(),
            self.rd,
            self.rs1,
            self.rs2,
            self.imm
        )
    }
}

fn bits(w: u32, hi: u32, lo: u32) -> u32 {
    (w >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Decodes one 32-bit instruction word. A word that is not an RV32IM instruction this VM runs
/// (compressed, floating point, atomics, CSR, `ebreak`, `fence.i`, reserved encodings) decodes to
/// [`Op::Illegal`]; executing it stops the run.
#[must_use]
pub fn decode(w: u32) -> Instr {
    let rd = bits(w, 11, 7) as u8;
    let rs1 = bits(w, 19, 15) as u8;
    let rs2 = bits(w, 24, 20) as u8;
    let funct3 = bits(w, 14, 12);
    let funct7 = bits(w, 31, 25);
    let imm_i = (w as i32) >> 20;
    let imm_s = ((w as i32) >> 25 << 5) | bits(w, 11, 7) as i32;
    let imm_b = ((w as i32) >> 31 << 12)
        | (bits(w, 7, 7) << 11) as i32
        | (bits(w, 30, 25) << 5) as i32
        | (bits(w, 11, 8) << 1) as i32;
    let imm_u = (w & 0xffff_f000) as i32;
    let imm_j = ((w as i32) >> 31 << 20)
        | (bits(w, 19, 12) << 12) as i32
        | (bits(w, 20, 20) << 11) as i32
        | (bits(w, 30, 21) << 1) as i32;
    let illegal = Instr { op: Op::Illegal, rd: 0, rs1: 0, rs2: 0, imm: 0 };
    let r = |op| Instr { op, rd, rs1, rs2, imm: 0 };
    let i = |op, imm| Instr { op, rd, rs1, rs2: 0, imm };
    match w & 0x7f {
        0x37 => Instr { op: Op::Lui, rd, rs1: 0, rs2: 0, imm: imm_u },
        0x17 => Instr { op: Op::Auipc, rd, rs1: 0, rs2: 0, imm: imm_u },
        0x6f => Instr { op: Op::Jal, rd, rs1: 0, rs2: 0, imm: imm_j },
        0x67 if funct3 == 0 => i(Op::Jalr, imm_i),
        0x63 => {
            let op = match funct3 {
                0 => Op::Beq,
                1 => Op::Bne,
                4 => Op::Blt,
                5 => Op::Bge,
                6 => Op::Bltu,
                7 => Op::Bgeu,
                _ => return illegal,
            };
            Instr { op, rd: 0, rs1, rs2, imm: imm_b }
        }
        0x03 => {
            let op = match funct3 {
                0 => Op::Lb,
                1 => Op::Lh,
                2 => Op::Lw,
                4 => Op::Lbu,
                5 => Op::Lhu,
                _ => return illegal,
            };
            i(op, imm_i)
        }
        0x23 => {
            let op = match funct3 {
                0 => Op::Sb,
                1 => Op::Sh,
                2 => Op::Sw,
                _ => return illegal,
            };
            Instr { op, rd: 0, rs1, rs2, imm: imm_s }
        }
        0x13 => match funct3 {
            0 => i(Op::Addi, imm_i),
            2 => i(Op::Slti, imm_i),
            3 => i(Op::Sltiu, imm_i),
            4 => i(Op::Xori, imm_i),
            6 => i(Op::Ori, imm_i),
            7 => i(Op::Andi, imm_i),
            1 if funct7 == 0 => i(Op::Slli, rs2 as i32),
            5 if funct7 == 0 => i(Op::Srli, rs2 as i32),
            5 if funct7 == 0x20 => i(Op::Srai, rs2 as i32),
            _ => illegal,
        },
        0x33 => match (funct7, funct3) {
            (0, 0) => r(Op::Add),
            (0x20, 0) => r(Op::Sub),
            (0, 1) => r(Op::Sll),
            (0, 2) => r(Op::Slt),
            (0, 3) => r(Op::Sltu),
            (0, 4) => r(Op::Xor),
            (0, 5) => r(Op::Srl),
            (0x20, 5) => r(Op::Sra),
            (0, 6) => r(Op::Or),
            (0, 7) => r(Op::And),
            (1, 0) => r(Op::Mul),
            (1, 1) => r(Op::Mulh),
            (1, 2) => r(Op::Mulhsu),
            (1, 3) => r(Op::Mulhu),
            (1, 4) => r(Op::Div),
            (1, 5) => r(Op::Divu),
            (1, 6) => r(Op::Rem),
            (1, 7) => r(Op::Remu),
            _ => illegal,
        },
        // `fence` (any predecessor/successor sets); `fence.i` (funct3 = 1) is not RV32IM.
        0x0f if funct3 == 0 => Instr { op: Op::Fence, rd: 0, rs1: 0, rs2: 0, imm: 0 },
        0x73 if w == 0x0000_0073 => Instr { op: Op::Ecall, rd: 0, rs1: 0, rs2: 0, imm: 0 },
        _ => illegal,
    }
}

/// The result of an ALU operation (`Op::is_alu`) on operands `a` (rs1) and `b` (rs2 or the
/// immediate); for a branch, 1 when it is taken. `None` for an operation that is not ALU.
///
/// This is exactly what the ALU table's AIR constrains each row to.
#[inline(always)]
#[must_use]
pub fn alu(op: Op, a: u32, b: u32) -> Option<u32> {
    Some(match op {
        Op::Add | Op::Addi => a.wrapping_add(b),
        Op::Sub => a.wrapping_sub(b),
        Op::Sll | Op::Slli => a << (b & 31),
        Op::Slt | Op::Slti => u32::from((a as i32) < (b as i32)),
        Op::Sltu | Op::Sltiu => u32::from(a < b),
        Op::Xor | Op::Xori => a ^ b,
        Op::Srl | Op::Srli => a >> (b & 31),
        Op::Sra | Op::Srai => ((a as i32) >> (b & 31)) as u32,
        Op::Or | Op::Ori => a | b,
        Op::And | Op::Andi => a & b,
        Op::Mul => a.wrapping_mul(b),
        Op::Mulh => ((i64::from(a as i32) * i64::from(b as i32)) >> 32) as u32,
        Op::Mulhsu => ((i64::from(a as i32) * i64::from(b)) >> 32) as u32,
        Op::Mulhu => ((u64::from(a) * u64::from(b)) >> 32) as u32,
        Op::Div => {
            if b == 0 {
                u32::MAX
            } else {
                (a as i32).wrapping_div(b as i32) as u32
            }
        }
        Op::Divu => a.checked_div(b).unwrap_or(u32::MAX),
        Op::Rem => {
            if b == 0 {
                a
            } else {
                (a as i32).wrapping_rem(b as i32) as u32
            }
        }
        Op::Remu => a.checked_rem(b).unwrap_or(a),
        Op::Beq => u32::from(a == b),
        Op::Bne => u32::from(a != b),
        Op::Blt => u32::from((a as i32) < (b as i32)),
        Op::Bge => u32::from((a as i32) >= (b as i32)),
        Op::Bltu => u32::from(a < b),
        Op::Bgeu => u32::from(a >= b),
        _ => return None,
    })
}
