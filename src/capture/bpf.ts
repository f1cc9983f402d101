/**
 * A classic BPF (cBPF) virtual machine: loads, checks and runs the filter
 * programs that libpcap compiles from tcpdump expressions.
 *
 * Specification: the BSD bpf(4) manual page and the Linux kernel's
 * Documentation/networking/filter.txt; where the two differ, the semantics
 * follow libpcap's userland interpreter (bpf_filter.c), because that is what
 * `tcpdump -r file expr` runs and what users compare against:
 * - every load that reaches past the captured length rejects the packet
 *   (returns 0); `BPF_LEN` loads the length on the wire;
 * - division or modulo by a zero X rejects the packet; shifts by X >= 32
 *   give 0; all arithmetic is unsigned 32-bit;
 * - scratch memory is M[0..15]; it is zeroed before each run (libpcap leaves
 *   it undefined, the kernel rejects programs that read it before writing).
 *
 * The load-time checker follows the kernel's (bpf_check_classic): only
 * known opcodes, jump targets inside the program, M[] indexes below 16,
 * no division or modulo by a constant 0, constant shifts below 32, the last
 * instruction a return. One deliberate difference: an unconditional jump may
 * go backwards, because libpcap generates such loops for `ip6 protochain`
 * and `tcpdump -r` runs them. To keep every run bounded, a run may take at
 * most caplen + 1 backward jumps; past that the packet is rejected.
 *
 * Ignored: the Linux ancillary loads (SKF_AD_* offsets from 0xfffff000,
 * e.g. vlan_tci, protocol, ifindex); like libpcap without auxiliary data,
 * they are out-of-bounds loads and reject the packet. libpcap never emits
 * them for capture files.
 *
 * `run` and `matches` allocate nothing: the program lives in one Int32Array
 * and the scratch memory is preallocated per program.
 */

import { FlowtapError } from '../util/errors';

/** Why a BpfError was raised. */
export type BpfErrorReason =
  /** tcpdump rejected the expression (syntax, unknown host, not valid for the link type ...). */
  | 'expression'
  /** tcpdump could not be run (not installed, crashed, timed out) or printed something unexpected. */
  | 'tcpdump'
  /** The BPF program itself is invalid (failed the load-time checker). */
  | 'program';

export class BpfError extends FlowtapError {
  readonly reason: BpfErrorReason;
  /** The filter expression, when the error concerns one. */
  readonly expression: string | undefined;
  /** The LINKTYPE_* value the expression was compiled for, when known. */
  readonly linkType: number | undefined;
  constructor(reason: BpfErrorReason, message: string, expression?: string, linkType?: number) {
    super('E_BPF', message);
    this.name = 'BpfError';
    this.reason = reason;
    this.expression = expression;
    this.linkType = linkType;
  }
}

/** One classic BPF instruction, as in `struct bpf_insn` / `struct sock_filter`. */
export interface BpfInstruction {
  /** 16-bit opcode. */
  code: number;
  /** Jump offset if true (0..255). */
  jt: number;
  /** Jump offset if false (0..255). */
  jf: number;
  /** 32-bit generic field (read as unsigned). */
  k: number;
}

/** Scratch memory words (BPF_MEMWORDS). */
export const BPF_MEMWORDS = 16;
/** Largest program accepted (libpcap has no limit of its own; the kernel's is 4096). */
export const BPF_MAX_INSNS = 65535;

/** Classic BPF opcode values (net/bpf.h, linux/filter.h). */
export const BPF = {
  // classes
  LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, RET: 0x06, MISC: 0x07,
  // sizes
  W: 0x00, H: 0x08, B: 0x10,
  // modes
  IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, LEN: 0x80, MSH: 0xa0,
  // ALU and JMP operations
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0,
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40,
  // sources
  K: 0x00, X: 0x08,
  // return value sources
  A: 0x10,
  // MISC operations
  TAX: 0x00, TXA: 0x80,
} as const;

/** Internal dense opcodes, so the interpreter's switch compiles to a jump table. */
const enum Op {
  LdAbsW, LdAbsH, LdAbsB, LdIndW, LdIndH, LdIndB, LdLen, LdImm, LdMem,
  LdxImm, LdxMem, LdxLen, LdxMsh,
  St, Stx,
  AddK, SubK, MulK, DivK, ModK, AndK, OrK, XorK, LshK, RshK,
  AddX, SubX, MulX, DivX, ModX, AndX, OrX, XorX, LshX, RshX,
  Neg,
  Ja, JeqK, JgtK, JgeK, JsetK, JeqX, JgtX, JgeX, JsetX,
  RetK, RetA,
  Tax, Txa,
}

/** Opcode → internal op, for every opcode the checker accepts. */
const OPCODES: ReadonlyMap<number, Op> = new Map<number, Op>([
  [BPF.LD | BPF.W | BPF.ABS, Op.LdAbsW],
  [BPF.LD | BPF.H | BPF.ABS, Op.LdAbsH],
  [BPF.LD | BPF.B | BPF.ABS, Op.LdAbsB],
  [BPF.LD | BPF.W | BPF.IND, Op.LdIndW],
  [BPF.LD | BPF.H | BPF.IND, Op.LdIndH],
  [BPF.LD | BPF.B | BPF.IND, Op.LdIndB],
  [BPF.LD | BPF.W | BPF.LEN, Op.LdLen],
  [BPF.LD | BPF.IMM, Op.LdImm],
  [BPF.LD | BPF.MEM, Op.LdMem],
  [BPF.LDX | BPF.W | BPF.IMM, Op.LdxImm],
  [BPF.LDX | BPF.W | BPF.MEM, Op.LdxMem],
  [BPF.LDX | BPF.W | BPF.LEN, Op.LdxLen],
  [BPF.LDX | BPF.B | BPF.MSH, Op.LdxMsh],
  [BPF.ST, Op.St],
  [BPF.STX, Op.Stx],
  [BPF.ALU | BPF.ADD | BPF.K, Op.AddK],
  [BPF.ALU | BPF.SUB | BPF.K, Op.SubK],
  [BPF.ALU | BPF.MUL | BPF.K, Op.MulK],
  [BPF.ALU | BPF.DIV | BPF.K, Op.DivK],
  [BPF.ALU | BPF.MOD | BPF.K, Op.ModK],
  [BPF.ALU | BPF.AND | BPF.K, Op.AndK],
  [BPF.ALU | BPF.OR | BPF.K, Op.OrK],
  [BPF.ALU | BPF.XOR | BPF.K, Op.XorK],
  [BPF.ALU | BPF.LSH | BPF.K, Op.LshK],
  [BPF.ALU | BPF.RSH | BPF.K, Op.RshK],
  [BPF.ALU | BPF.ADD | BPF.X, Op.AddX],
  [BPF.ALU | BPF.SUB | BPF.X, Op.SubX],
  [BPF.ALU | BPF.MUL | BPF.X, Op.MulX],
  [BPF.ALU | BPF.DIV | BPF.X, Op.DivX],
  [BPF.ALU | BPF.MOD | BPF.X, Op.ModX],
  [BPF.ALU | BPF.AND | BPF.X, Op.AndX],
  [BPF.ALU | BPF.OR | BPF.X, Op.OrX],
  [BPF.ALU | BPF.XOR | BPF.X, Op.XorX],
  [BPF.ALU | BPF.LSH | BPF.X, Op.LshX],
  [BPF.ALU | BPF.RSH | BPF.X, Op.RshX],
  [BPF.ALU | BPF.NEG, Op.Neg],
  [BPF.JMP | BPF.JA, Op.Ja],
  [BPF.JMP | BPF.JEQ | BPF.K, Op.JeqK],
  [BPF.JMP | BPF.JGT | BPF.K, Op.JgtK],
  [BPF.JMP | BPF.JGE | BPF.K, Op.JgeK],
  [BPF.JMP | BPF.JSET | BPF.K, Op.JsetK],
  [BPF.JMP | BPF.JEQ | BPF.X, Op.JeqX],
  [BPF.JMP | BPF.JGT | BPF.X, Op.JgtX],
  [BPF.JMP | BPF.JGE | BPF.X, Op.JgeX],
  [BPF.JMP | BPF.JSET | BPF.X, Op.JsetX],
  [BPF.RET | BPF.K, Op.RetK],
  [BPF.RET | BPF.A, Op.RetA],
  [BPF.MISC | BPF.TAX, Op.Tax],
  [BPF.MISC | BPF.TXA, Op.Txa],
]);

function isUint(v: number, bits: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < 2 ** bits;
}

/**
 * Parses the output of `tcpdump -ddd` (or `-d` style decimal listings): the
 * instruction count on the first line, then `code jt jf k` per line.
 * Throws a BpfError (reason 'program') on anything else.
 */
export function parseBpfDecimal(text: string): BpfInstruction[] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const bad = (detail: string): BpfError => new BpfError('program', `malformed BPF program listing: ${detail}`);
  if (lines.length === 0) throw bad('empty');
  if (!/^\d+$/.test(lines[0])) throw bad(`expected an instruction count, got '${lines[0]}'`);
  const count = Number(lines[0]);
  if (lines.length - 1 !== count) throw bad(`count says ${count} instructions, listing has ${lines.length - 1}`);
  const out: BpfInstruction[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split(/\s+/);
    if (f.length !== 4 || !f.every((x) => /^\d+$/.test(x))) throw bad(`line ${i + 1}: '${lines[i]}'`);
    const [code, jt, jf, k] = f.map(Number);
    out.push({ code, jt, jf, k });
  }
  return out;
}

/** A checked classic BPF program, ready to run against packets. */
export class BpfProgram {
  /** Number of instructions. */
  readonly length: number;
  /** 4 ints per instruction: internal op, true target, false target (array indexes), k. */
  private readonly prog: Int32Array;
  private readonly insns: readonly BpfInstruction[];
  private readonly mem = new Int32Array(BPF_MEMWORDS);
  private readonly usesMem: boolean;

  private constructor(insns: readonly BpfInstruction[], prog: Int32Array, usesMem: boolean) {
    this.insns = insns;
    this.prog = prog;
    this.length = insns.length;
    this.usesMem = usesMem;
  }

  /** Checks a program (see the module comment) and prepares it; throws a BpfError (reason 'program'). */
  static load(instructions: readonly BpfInstruction[]): BpfProgram {
    const n = instructions.length;
    const fail = (i: number, detail: string): BpfError =>
      new BpfError('program', i >= 0 ? `invalid BPF program: instruction ${i}: ${detail}` : `invalid BPF program: ${detail}`);
    if (n === 0) throw fail(-1, 'no instructions');
    if (n > BPF_MAX_INSNS) throw fail(-1, `${n} instructions, more than ${BPF_MAX_INSNS}`);
    const prog = new Int32Array(n * 4);
    const copy: BpfInstruction[] = [];
    let usesMem = false;
    for (let i = 0; i < n; i++) {
      const { code, jt, jf, k } = instructions[i];
      if (!isUint(code, 16) || !isUint(jt, 8) || !isUint(jf, 8) || !isUint(k, 32)) {
        throw fail(i, `field out of range (code ${code}, jt ${jt}, jf ${jf}, k ${k})`);
      }
      copy.push({ code, jt, jf, k });
      const op = OPCODES.get(code);
      if (op === undefined) throw fail(i, `unknown opcode 0x${code.toString(16)}`);
      let jtIdx = 0;
      let jfIdx = 0;
      switch (op) {
        case Op.LdMem:
        case Op.LdxMem:
        case Op.St:
        case Op.Stx:
          if (k >= BPF_MEMWORDS) throw fail(i, `scratch memory index ${k} out of range`);
          usesMem = true;
          break;
        case Op.DivK:
        case Op.ModK:
          if (k === 0) throw fail(i, 'division by constant zero');
          break;
        case Op.LshK:
        case Op.RshK:
          if (k >= 32) throw fail(i, `shift by ${k}`);
          break;
        case Op.Ja: {
          const target = i + 1 + (k | 0);
          if (target < 0 || target >= n) throw fail(i, `jump to ${target} outside the program (0..${n - 1})`);
          jtIdx = target * 4;
          break;
        }
        case Op.JeqK: case Op.JgtK: case Op.JgeK: case Op.JsetK:
        case Op.JeqX: case Op.JgtX: case Op.JgeX: case Op.JsetX:
          if (i + 1 + jt >= n || i + 1 + jf >= n) throw fail(i, `jump (${jt}/${jf}) outside the program (0..${n - 1})`);
          jtIdx = (i + 1 + jt) * 4;
          jfIdx = (i + 1 + jf) * 4;
          break;
        default:
          break;
      }
      prog[i * 4] = op as number;
      prog[i * 4 + 1] = jtIdx;
      prog[i * 4 + 2] = jfIdx;
      prog[i * 4 + 3] = k | 0;
    }
    const last = prog[(n - 1) * 4];
    if (last !== Op.RetK && last !== Op.RetA) throw fail(n - 1, 'the last instruction must be a return');
    return new BpfProgram(copy, prog, usesMem);
  }

  /** Parses a `tcpdump -ddd` listing and loads it. */
  static fromDecimal(text: string): BpfProgram {
    return BpfProgram.load(parseBpfDecimal(text));
  }

  /** The program as given to load(). */
  instructions(): BpfInstruction[] {
    return this.insns.map((x) => ({ ...x }));
  }

  /** True when the packet is accepted (the program returns a non-zero length). */
  matches(buf: Uint8Array, off: number, caplen: number, wireLen: number): boolean {
    return this.run(buf, off, caplen, wireLen) !== 0;
  }

  /**
   * Runs the program over the frame buf[off, off + caplen) whose length on the
   * wire is wireLen; returns the program's unsigned 32-bit result (0 = reject).
   */
  run(buf: Uint8Array, off: number, caplen: number, wireLen: number): number {
    const p = this.prog;
    const avail = buf.length - off;
    const len = caplen < avail ? caplen : avail > 0 ? avail : 0;
    const wire = wireLen >>> 0;
    if (this.usesMem) {
      const m = this.mem;
      for (let i = 0; i < BPF_MEMWORDS; i++) m[i] = 0;
    }
    const mem = this.mem;
    let backJumps = len + 1;
    let a = 0;
    let x = 0;
    let pc = 0;
    for (;;) {
      const k = p[pc + 3];
      switch (p[pc]) {
        case Op.LdAbsW: {
          const o = k >>> 0;
          if (o + 4 > len) return 0;
          const q = off + o;
          a = (buf[q] << 24) | (buf[q + 1] << 16) | (buf[q + 2] << 8) | buf[q + 3];
          pc += 4;
          continue;
        }
        case Op.LdAbsH: {
          const o = k >>> 0;
          if (o + 2 > len) return 0;
          const q = off + o;
          a = (buf[q] << 8) | buf[q + 1];
          pc += 4;
          continue;
        }
        case Op.LdAbsB: {
          const o = k >>> 0;
          if (o >= len) return 0;
          a = buf[off + o];
          pc += 4;
          continue;
        }
        case Op.LdIndW: {
          const o = (x >>> 0) + (k >>> 0);
          if (o + 4 > len) return 0;
          const q = off + o;
          a = (buf[q] << 24) | (buf[q + 1] << 16) | (buf[q + 2] << 8) | buf[q + 3];
          pc += 4;
          continue;
        }
        case Op.LdIndH: {
          const o = (x >>> 0) + (k >>> 0);
          if (o + 2 > len) return 0;
          const q = off + o;
          a = (buf[q] << 8) | buf[q + 1];
          pc += 4;
          continue;
        }
        case Op.LdIndB: {
          const o = (x >>> 0) + (k >>> 0);
          if (o >= len) return 0;
          a = buf[off + o];
          pc += 4;
          continue;
        }
        case Op.LdLen:
          a = wire | 0;
          pc += 4;
          continue;
        case Op.LdImm:
          a = k;
          pc += 4;
          continue;
        case Op.LdMem:
          a = mem[k];
          pc += 4;
          continue;
        case Op.LdxImm:
          x = k;
          pc += 4;
          continue;
        case Op.LdxMem:
          x = mem[k];
          pc += 4;
          continue;
        case Op.LdxLen:
          x = wire | 0;
          pc += 4;
          continue;
        case Op.LdxMsh: {
          const o = k >>> 0;
          if (o >= len) return 0;
          x = (buf[off + o] & 0xf) << 2;
          pc += 4;
          continue;
        }
        case Op.St:
          mem[k] = a;
          pc += 4;
          continue;
        case Op.Stx:
          mem[k] = x;
          pc += 4;
          continue;
        case Op.AddK:
          a = (a + k) | 0;
          pc += 4;
          continue;
        case Op.SubK:
          a = (a - k) | 0;
          pc += 4;
          continue;
        case Op.MulK:
          a = Math.imul(a, k);
          pc += 4;
          continue;
        case Op.DivK:
          a = ((a >>> 0) / (k >>> 0)) | 0;
          pc += 4;
          continue;
        case Op.ModK:
          a = ((a >>> 0) % (k >>> 0)) | 0;
          pc += 4;
          continue;
        case Op.AndK:
          a &= k;
          pc += 4;
          continue;
        case Op.OrK:
          a |= k;
          pc += 4;
          continue;
        case Op.XorK:
          a ^= k;
          pc += 4;
          continue;
        case Op.LshK:
          a <<= k;
          pc += 4;
          continue;
        case Op.RshK:
          a = (a >>> k) | 0;
          pc += 4;
          continue;
        case Op.AddX:
          a = (a + x) | 0;
          pc += 4;
          continue;
        case Op.SubX:
          a = (a - x) | 0;
          pc += 4;
          continue;
        case Op.MulX:
          a = Math.imul(a, x);
          pc += 4;
          continue;
        case Op.DivX:
          if (x === 0) return 0;
          a = ((a >>> 0) / (x >>> 0)) | 0;
          pc += 4;
          continue;
        case Op.ModX:
          if (x === 0) return 0;
          a = ((a >>> 0) % (x >>> 0)) | 0;
          pc += 4;
          continue;
        case Op.AndX:
          a &= x;
          pc += 4;
          continue;
        case Op.OrX:
          a |= x;
          pc += 4;
          continue;
        case Op.XorX:
          a ^= x;
          pc += 4;
          continue;
        case Op.LshX:
          a = (x >>> 0) < 32 ? a << x : 0;
          pc += 4;
          continue;
        case Op.RshX:
          a = (x >>> 0) < 32 ? (a >>> x) | 0 : 0;
          pc += 4;
          continue;
        case Op.Neg:
          a = -a | 0;
          pc += 4;
          continue;
        case Op.Ja: {
          const t = p[pc + 1];
          if (t <= pc && --backJumps < 0) return 0;
          pc = t;
          continue;
        }
        case Op.JeqK:
          pc = a === k ? p[pc + 1] : p[pc + 2];
          continue;
        case Op.JgtK:
          pc = (a >>> 0) > (k >>> 0) ? p[pc + 1] : p[pc + 2];
          continue;
        case Op.JgeK:
          pc = (a >>> 0) >= (k >>> 0) ? p[pc + 1] : p[pc + 2];
          continue;
        case Op.JsetK:
          pc = (a & k) !== 0 ? p[pc + 1] : p[pc + 2];
          continue;
        case Op.JeqX:
          pc = a === x ? p[pc + 1] : p[pc + 2];
          continue;
        case Op.JgtX:
          pc = (a >>> 0) > (x >>> 0) ? p[pc + 1] : p[pc + 2];
          continue;
        case Op.JgeX:
          pc = (a >>> 0) >= (x >>> 0) ? p[pc + 1] : p[pc + 2];
          continue;
        case Op.JsetX:
          pc = (a & x) !== 0 ? p[pc + 1] : p[pc + 2];
          continue;
        case Op.RetK:
          return k >>> 0;
        case Op.RetA:
          return a >>> 0;
        case Op.Tax:
          x = a;
          pc += 4;
          continue;
        case Op.Txa:
          a = x;
          pc += 4;
          continue;
        default:
          return 0;
      }
    }
  }
}
