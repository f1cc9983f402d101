// The classic BPF interpreter on hand-assembled programs: every instruction
// class, the load-time checker, and a time-limited fuzz that compares it with
// a deliberately naive reference interpreter written from libpcap's
// bpf_filter.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BPF, BPF_MEMWORDS, BpfError, BpfInstruction, BpfProgram, parseBpfDecimal } from '../../src/capture/bpf';

const stmt = (code: number, k = 0): BpfInstruction => ({ code, jt: 0, jf: 0, k: k >>> 0 });
const jump = (code: number, k: number, jt: number, jf: number): BpfInstruction => ({ code, jt, jf, k: k >>> 0 });

const LD_W_ABS = BPF.LD | BPF.W | BPF.ABS;
const LD_H_ABS = BPF.LD | BPF.H | BPF.ABS;
const LD_B_ABS = BPF.LD | BPF.B | BPF.ABS;
const LD_W_IND = BPF.LD | BPF.W | BPF.IND;
const LD_H_IND = BPF.LD | BPF.H | BPF.IND;
const LD_B_IND = BPF.LD | BPF.B | BPF.IND;
const LD_LEN = BPF.LD | BPF.W | BPF.LEN;
const LD_IMM = BPF.LD | BPF.IMM;
const LD_MEM = BPF.LD | BPF.MEM;
const LDX_IMM = BPF.LDX | BPF.W | BPF.IMM;
const LDX_MEM = BPF.LDX | BPF.W | BPF.MEM;
const LDX_LEN = BPF.LDX | BPF.W | BPF.LEN;
const LDX_MSH = BPF.LDX | BPF.B | BPF.MSH;
const RET_K = BPF.RET | BPF.K;
const RET_A = BPF.RET | BPF.A;
const TAX = BPF.MISC | BPF.TAX;
const TXA = BPF.MISC | BPF.TXA;

function run(insns: BpfInstruction[], pkt: number[] | Buffer, wireLen?: number, off = 0, caplen?: number): number {
  const buf = Buffer.isBuffer(pkt) ? pkt : Buffer.from(pkt);
  const len = caplen ?? buf.length - off;
  return BpfProgram.load(insns).run(buf, off, len, wireLen ?? len);
}

function loadError(insns: BpfInstruction[]): BpfError {
  try {
    BpfProgram.load(insns);
  } catch (e) {
    assert.ok(e instanceof BpfError, `expected a BpfError, got ${String(e)}`);
    assert.equal(e.code, 'E_BPF');
    assert.equal(e.reason, 'program');
    return e;
  }
  assert.fail('program was accepted');
}

const PKT = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0];

test('bpf: absolute loads of words, halves and bytes, big-endian', () => {
  assert.equal(run([stmt(LD_W_ABS, 0), stmt(RET_A)], PKT), 0x12345678);
  assert.equal(run([stmt(LD_W_ABS, 4), stmt(RET_A)], PKT), 0x9abcdef0);
  assert.equal(run([stmt(LD_H_ABS, 6), stmt(RET_A)], PKT), 0xdef0);
  assert.equal(run([stmt(LD_B_ABS, 7), stmt(RET_A)], PKT), 0xf0);
});

test('bpf: a load past the captured length rejects the packet', () => {
  const ok = (code: number, k: number) => [stmt(code, k), stmt(RET_K, 1)];
  assert.equal(run(ok(LD_W_ABS, 4), PKT), 1);
  assert.equal(run(ok(LD_W_ABS, 5), PKT), 0);
  assert.equal(run(ok(LD_H_ABS, 6), PKT), 1);
  assert.equal(run(ok(LD_H_ABS, 7), PKT), 0);
  assert.equal(run(ok(LD_B_ABS, 7), PKT), 1);
  assert.equal(run(ok(LD_B_ABS, 8), PKT), 0);
  assert.equal(run(ok(LD_W_ABS, 0xfffffffe), PKT), 0);
  assert.equal(run(ok(LD_B_ABS, 0xfffff000), PKT), 0, 'Linux ancillary offsets are out of bounds');
  assert.equal(run(ok(LDX_MSH, 8), PKT), 0);
  // caplen, not the buffer size, is the bound; the frame may start inside the buffer
  assert.equal(run(ok(LD_W_ABS, 0), PKT, 100, 0, 3), 0);
  assert.equal(run([stmt(LD_B_ABS, 0), stmt(RET_A)], PKT, 100, 5, 3), 0xbc);
  assert.equal(run(ok(LD_B_ABS, 3), PKT, 100, 5, 3), 0);
  // a caplen larger than the buffer is clamped to it
  assert.equal(run(ok(LD_B_ABS, 8), PKT, 100, 0, 1000), 0);
  assert.equal(run([stmt(RET_K, 7)], [], 0), 7, 'an empty frame runs');
});

test('bpf: BPF_LEN loads the length on the wire, not the captured length', () => {
  assert.equal(run([stmt(LD_LEN), stmt(RET_A)], PKT, 1514), 1514);
  assert.equal(run([stmt(LDX_LEN), stmt(TXA), stmt(RET_A)], PKT, 60), 60);
});

test('bpf: indirect loads add X and reject past the end without wrapping', () => {
  assert.equal(run([stmt(LDX_IMM, 1), stmt(LD_W_IND, 1), stmt(RET_A)], PKT), 0x56789abc);
  assert.equal(run([stmt(LDX_IMM, 2), stmt(LD_H_IND, 4), stmt(RET_A)], PKT), 0xdef0);
  assert.equal(run([stmt(LDX_IMM, 3), stmt(LD_B_IND, 4), stmt(RET_A)], PKT), 0xf0);
  assert.equal(run([stmt(LDX_IMM, 3), stmt(LD_W_IND, 2), stmt(RET_K, 1)], PKT), 0);
  assert.equal(run([stmt(LDX_IMM, 7), stmt(LD_H_IND, 0), stmt(RET_K, 1)], PKT), 0);
  assert.equal(run([stmt(LDX_IMM, 8), stmt(LD_B_IND, 0), stmt(RET_K, 1)], PKT), 0);
  // X + k would wrap to 0 in 32 bits: still out of bounds
  assert.equal(run([stmt(LDX_IMM, 0xffffffff), stmt(LD_B_IND, 1), stmt(RET_K, 1)], PKT), 0);
  assert.equal(run([stmt(LDX_IMM, 1), stmt(LD_W_IND, 0xffffffff), stmt(RET_K, 1)], PKT), 0);
});

test('bpf: MSH loads 4 * (byte & 0xf) into X (the IPv4 header length idiom)', () => {
  assert.equal(run([stmt(LDX_MSH, 0), stmt(TXA), stmt(RET_A)], [0x45]), 20);
  assert.equal(run([stmt(LDX_MSH, 1), stmt(TXA), stmt(RET_A)], [0x00, 0x4f]), 60);
  // tcp dst port on a bare IPv4+TCP packet: ldx 4*([0]&0xf); ldh [x+2]
  const ip = Buffer.alloc(40);
  ip[0] = 0x45;
  ip.writeUInt16BE(443, 22);
  assert.equal(run([stmt(LDX_MSH, 0), stmt(LD_H_IND, 2), stmt(RET_A)], ip), 443);
});

test('bpf: immediates, scratch memory and register transfers', () => {
  const prog = [
    stmt(LD_IMM, 0xdeadbeef),
    stmt(BPF.ST, 3),
    stmt(LD_IMM, 7),
    stmt(TAX),
    stmt(BPF.STX, 15),
    stmt(LD_MEM, 3),
    stmt(LDX_MEM, 15),
    stmt(BPF.ALU | BPF.ADD | BPF.X),
    stmt(RET_A),
  ];
  assert.equal(run(prog, []), (0xdeadbeef + 7) >>> 0);
  assert.equal(run([stmt(LDX_IMM, 9), stmt(TXA), stmt(RET_A)], []), 9);
});

test('bpf: scratch memory starts at zero on every run', () => {
  const p = BpfProgram.load([stmt(LDX_MEM, 0), stmt(TXA), stmt(BPF.ALU | BPF.ADD | BPF.K, 1), stmt(BPF.ST, 0), stmt(RET_A)]);
  const b = Buffer.alloc(0);
  assert.equal(p.run(b, 0, 0, 0), 1);
  assert.equal(p.run(b, 0, 0, 0), 1);
});

test('bpf: ALU operations are unsigned 32-bit, with K and X operands', () => {
  const cases: Array<[string, number, number, number, number]> = [
    ['add', BPF.ADD, 0xffffffff, 1, 0],
    ['add', BPF.ADD, 0x7fffffff, 1, 0x80000000],
    ['sub', BPF.SUB, 0, 1, 0xffffffff],
    ['mul', BPF.MUL, 0x10000, 0x10000, 0],
    ['mul', BPF.MUL, 0xffffffff, 0xffffffff, 1],
    ['mul', BPF.MUL, 0x12345678, 0x9abcdef, Number((0x12345678n * 0x9abcdefn) & 0xffffffffn)],
    ['div', BPF.DIV, 0xffffffff, 2, 0x7fffffff],
    ['div', BPF.DIV, 0x80000000, 0xffffffff, 0],
    ['div', BPF.DIV, 7, 0x80000000, 0],
    ['mod', BPF.MOD, 0xffffffff, 10, 5],
    ['mod', BPF.MOD, 0x80000001, 0x80000000, 1],
    ['and', BPF.AND, 0xf0f0f0f0, 0xff00ff00, 0xf000f000],
    ['or', BPF.OR, 0xf0000000, 0x0f, 0xf000000f],
    ['xor', BPF.XOR, 0xffffffff, 0x0f0f0f0f, 0xf0f0f0f0],
    ['lsh', BPF.LSH, 1, 31, 0x80000000],
    ['lsh', BPF.LSH, 0xffffffff, 4, 0xfffffff0],
    ['rsh', BPF.RSH, 0x80000000, 31, 1],
    ['rsh', BPF.RSH, 0xffffffff, 28, 0xf],
  ];
  for (const [name, op, a, b, want] of cases) {
    assert.equal(run([stmt(LD_IMM, a), stmt(BPF.ALU | op | BPF.K, b), stmt(RET_A)], []), want, `${name} #${b}`);
    assert.equal(run([stmt(LD_IMM, a), stmt(LDX_IMM, b), stmt(BPF.ALU | op | BPF.X), stmt(RET_A)], []), want, `${name} x`);
  }
  assert.equal(run([stmt(LD_IMM, 1), stmt(BPF.ALU | BPF.NEG), stmt(RET_A)], []), 0xffffffff);
  assert.equal(run([stmt(LD_IMM, 0x80000000), stmt(BPF.ALU | BPF.NEG), stmt(RET_A)], []), 0x80000000);
  assert.equal(run([stmt(LD_IMM, 0), stmt(BPF.ALU | BPF.NEG), stmt(RET_K, 3)], []), 3);
  // shifts by X >= 32 give 0 (libpcap), not JavaScript's shift-count masking
  assert.equal(run([stmt(LD_IMM, 1), stmt(LDX_IMM, 32), stmt(BPF.ALU | BPF.LSH | BPF.X), stmt(RET_A)], []), 0);
  assert.equal(run([stmt(LD_IMM, 0xffffffff), stmt(LDX_IMM, 33), stmt(BPF.ALU | BPF.RSH | BPF.X), stmt(RET_A)], []), 0);
});

test('bpf: division or modulo by a zero X rejects the packet', () => {
  assert.equal(run([stmt(LD_IMM, 10), stmt(LDX_IMM, 0), stmt(BPF.ALU | BPF.DIV | BPF.X), stmt(RET_K, 1)], []), 0);
  assert.equal(run([stmt(LD_IMM, 10), stmt(LDX_IMM, 0), stmt(BPF.ALU | BPF.MOD | BPF.X), stmt(RET_K, 1)], []), 0);
  assert.match(loadError([stmt(BPF.ALU | BPF.DIV | BPF.K, 0), stmt(RET_K, 1)]).message, /division by constant zero/);
  loadError([stmt(BPF.ALU | BPF.MOD | BPF.K, 0), stmt(RET_K, 1)]);
});

test('bpf: conditional jumps compare unsigned; JSET tests bits; JA skips', () => {
  const branch = (code: number, a: number, b: number, src: 'k' | 'x'): boolean => {
    const cmp = src === 'k' ? jump(BPF.JMP | code | BPF.K, b, 0, 1) : jump(BPF.JMP | code | BPF.X, 0, 0, 1);
    return run([stmt(LD_IMM, a), stmt(LDX_IMM, b), cmp, stmt(RET_K, 1), stmt(RET_K, 0)], []) === 1;
  };
  for (const src of ['k', 'x'] as const) {
    assert.equal(branch(BPF.JEQ, 5, 5, src), true);
    assert.equal(branch(BPF.JEQ, 5, 6, src), false);
    assert.equal(branch(BPF.JEQ, 0xffffffff, 0xffffffff, src), true);
    assert.equal(branch(BPF.JGT, 0x80000000, 1, src), true, 'unsigned');
    assert.equal(branch(BPF.JGT, 1, 0x80000000, src), false);
    assert.equal(branch(BPF.JGT, 5, 5, src), false);
    assert.equal(branch(BPF.JGE, 5, 5, src), true);
    assert.equal(branch(BPF.JGE, 0xfffffffe, 0xffffffff, src), false);
    assert.equal(branch(BPF.JSET, 0x12, 0x02, src), true);
    assert.equal(branch(BPF.JSET, 0x12, 0x01, src), false);
    assert.equal(branch(BPF.JSET, 0x80000000, 0x80000000, src), true);
  }
  assert.equal(run([jump(BPF.JMP | BPF.JA, 1, 0, 0), stmt(RET_K, 1), stmt(RET_K, 2)], []), 2);
  // jt/jf are offsets from the next instruction
  assert.equal(run([stmt(LD_IMM, 1), jump(BPF.JMP | BPF.JEQ | BPF.K, 1, 2, 0), stmt(RET_K, 10), stmt(RET_K, 11), stmt(RET_K, 12)], []), 12);
});

test('bpf: returns are unsigned; any non-zero result is a match', () => {
  const b = Buffer.alloc(4);
  const big = BpfProgram.load([stmt(RET_K, 0xffffffff)]);
  assert.equal(big.run(b, 0, 4, 4), 0xffffffff);
  assert.equal(big.matches(b, 0, 4, 4), true);
  assert.equal(BpfProgram.load([stmt(RET_K, 1)]).matches(b, 0, 4, 4), true);
  assert.equal(BpfProgram.load([stmt(RET_K, 0)]).matches(b, 0, 4, 4), false);
  assert.equal(BpfProgram.load([stmt(LD_IMM, 0x80000000), stmt(RET_A)]).run(b, 0, 4, 4), 0x80000000);
});

test('bpf: the checker rejects jumps outside the program, like the kernel', () => {
  assert.match(loadError([jump(BPF.JMP | BPF.JEQ | BPF.K, 0, 1, 0), stmt(RET_K, 0)]).message, /outside the program/);
  loadError([jump(BPF.JMP | BPF.JEQ | BPF.K, 0, 0, 1), stmt(RET_K, 0)]);
  loadError([jump(BPF.JMP | BPF.JA, 1, 0, 0), stmt(RET_K, 0)]);
  loadError([jump(BPF.JMP | BPF.JA, -3, 0, 0), stmt(RET_K, 0)]);
  loadError([stmt(RET_K, 0), jump(BPF.JMP | BPF.JA, 0x7fffffff, 0, 0), stmt(RET_K, 0)]);
});

test('bpf: the checker rejects bad opcodes, fields, memory indexes, shifts and endings', () => {
  assert.match(loadError([]).message, /no instructions/);
  assert.match(loadError([stmt(0xff)]).message, /unknown opcode 0xff/);
  loadError([stmt(BPF.RET | 0x08), stmt(RET_K)]);
  loadError([stmt(LD_IMM | BPF.H), stmt(RET_K)]);
  assert.match(loadError([stmt(LD_IMM, 1)]).message, /last instruction must be a return/);
  assert.match(loadError([stmt(BPF.ST, BPF_MEMWORDS), stmt(RET_K)]).message, /scratch memory index 16/);
  loadError([stmt(LD_MEM, 99), stmt(RET_K)]);
  loadError([stmt(LDX_MEM, 16), stmt(RET_K)]);
  loadError([stmt(BPF.STX, 16), stmt(RET_K)]);
  loadError([stmt(BPF.ALU | BPF.LSH | BPF.K, 32), stmt(RET_K)]);
  loadError([stmt(BPF.ALU | BPF.RSH | BPF.K, 40), stmt(RET_K)]);
  loadError([{ code: RET_K, jt: 256, jf: 0, k: 0 }]);
  loadError([{ code: RET_K, jt: 0, jf: 0, k: 2 ** 32 }]);
  loadError([{ code: RET_K, jt: 0, jf: 0, k: -1 }]);
  loadError([{ code: RET_K, jt: 0, jf: 0, k: 1.5 }]);
  loadError(Array.from({ length: 70000 }, () => stmt(RET_K)));
});

test('bpf: backward jumps (ip6 protochain loops) are allowed but bounded', () => {
  const loop = BpfProgram.load([stmt(LD_IMM, 0), jump(BPF.JMP | BPF.JA, -1, 0, 0), stmt(RET_K, 1)]);
  assert.equal(loop.run(Buffer.alloc(64), 0, 64, 64), 0, 'an endless loop rejects the packet');
  // a counted loop: A += 1 until A == 5, then return A
  const counted = BpfProgram.load([
    stmt(BPF.ALU | BPF.ADD | BPF.K, 1),
    jump(BPF.JMP | BPF.JEQ | BPF.K, 5, 1, 0),
    jump(BPF.JMP | BPF.JA, -3, 0, 0),
    stmt(RET_A),
  ]);
  assert.equal(counted.run(Buffer.alloc(10), 0, 10, 10), 5);
  assert.equal(counted.run(Buffer.alloc(0), 0, 0, 0), 0, 'budget is caplen + 1 backward jumps');
});

test('bpf: parses tcpdump -ddd listings', () => {
  const text = '4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n';
  assert.deepEqual(parseBpfDecimal(text), [
    { code: 40, jt: 0, jf: 0, k: 12 },
    { code: 21, jt: 0, jf: 1, k: 2048 },
    { code: 6, jt: 0, jf: 0, k: 262144 },
    { code: 6, jt: 0, jf: 0, k: 0 },
  ]);
  const p = BpfProgram.fromDecimal(text);
  assert.equal(p.length, 4);
  const eth = Buffer.alloc(20);
  eth.writeUInt16BE(0x0800, 12);
  assert.equal(p.matches(eth, 0, 20, 20), true);
  eth.writeUInt16BE(0x86dd, 12);
  assert.equal(p.matches(eth, 0, 20, 20), false);
  assert.deepEqual(p.instructions(), parseBpfDecimal(text));
  for (const bad of ['', '2\n6 0 0 1\n', 'x\n6 0 0 1', '1\n6 0 0', '1\n6 0 0 -1', '1\n6 0 0 1 2']) {
    assert.throws(() => parseBpfDecimal(bad), (e: unknown) => e instanceof BpfError && e.reason === 'program', JSON.stringify(bad));
  }
});

// ---------------------------------------------------------------------------
// Fuzz: random programs over random frames. A reference interpreter written
// as plainly as possible from libpcap's bpf_filter.c must agree with the
// optimized one, which must never throw.

function reference(insns: BpfInstruction[], p: Uint8Array, buflen: number, wirelen: number): number {
  let A = 0;
  let X = 0;
  const mem = new Array<number>(BPF_MEMWORDS).fill(0);
  let pc = 0;
  let back = buflen + 1;
  const u = (v: number) => v >>> 0;
  const word = (k: number) => u((p[k] << 24) | (p[k + 1] << 16) | (p[k + 2] << 8) | p[k + 3]);
  const half = (k: number) => (p[k] << 8) | p[k + 1];
  for (;;) {
    const { code, jt, jf, k } = insns[pc];
    const next = pc + 1;
    const cls = code & 0x07;
    if (cls === BPF.RET) return (code & 0x18) === BPF.A ? A : k;
    if (cls === BPF.LD || cls === BPF.LDX) {
      const mode = code & 0xe0;
      const size = code & 0x18;
      let v: number;
      if (mode === BPF.IMM) v = k;
      else if (mode === BPF.LEN) v = u(wirelen);
      else if (mode === BPF.MEM) v = mem[k];
      else if (mode === BPF.MSH) {
        if (k >= buflen) return 0;
        v = (p[k] & 0xf) << 2;
      } else {
        const at = mode === BPF.ABS ? k : X + k;
        const n = size === BPF.W ? 4 : size === BPF.H ? 2 : 1;
        if (at + n > buflen) return 0;
        v = n === 4 ? word(at) : n === 2 ? half(at) : p[at];
      }
      if (cls === BPF.LD) A = v;
      else X = v;
    } else if (cls === BPF.ST) {
      mem[k] = A;
    } else if (cls === BPF.STX) {
      mem[k] = X;
    } else if (cls === BPF.ALU) {
      const b = (code & 0x08) === BPF.X ? X : k;
      switch (code & 0xf0) {
        case BPF.ADD: A = u(A + b); break;
        case BPF.SUB: A = u(A - b); break;
        case BPF.MUL: A = Number((BigInt(A) * BigInt(b)) & 0xffffffffn); break;
        case BPF.DIV: if (b === 0) return 0; A = Math.floor(A / b); break;
        case BPF.MOD: if (b === 0) return 0; A = A % b; break;
        case BPF.AND: A = u(A & b); break;
        case BPF.OR: A = u(A | b); break;
        case BPF.XOR: A = u(A ^ b); break;
        case BPF.LSH: A = b < 32 ? Number((BigInt(A) << BigInt(b)) & 0xffffffffn) : 0; break;
        case BPF.RSH: A = b < 32 ? Math.floor(A / 2 ** b) : 0; break;
        case BPF.NEG: A = u(-A); break;
      }
    } else if (cls === BPF.JMP) {
      const op = code & 0xf0;
      const b = (code & 0x08) === BPF.X ? X : k;
      if (op === BPF.JA) {
        const target = next + (k | 0);
        if (target <= pc && --back < 0) return 0;
        pc = target;
        continue;
      }
      const taken = op === BPF.JEQ ? A === b : op === BPF.JGT ? A > b : op === BPF.JGE ? A >= b : (A & b) !== 0;
      pc = next + (taken ? jt : jf);
      continue;
    } else if ((code & 0xf8) === BPF.TXA) {
      A = X;
    } else {
      X = A;
    }
    pc = next;
  }
}

const VALID_CODES: number[] = [
  LD_W_ABS, LD_H_ABS, LD_B_ABS, LD_W_IND, LD_H_IND, LD_B_IND, LD_LEN, LD_IMM, LD_MEM,
  LDX_IMM, LDX_MEM, LDX_LEN, LDX_MSH, BPF.ST, BPF.STX,
  ...[BPF.ADD, BPF.SUB, BPF.MUL, BPF.DIV, BPF.MOD, BPF.AND, BPF.OR, BPF.XOR, BPF.LSH, BPF.RSH].flatMap((op) => [
    BPF.ALU | op | BPF.K,
    BPF.ALU | op | BPF.X,
  ]),
  BPF.ALU | BPF.NEG,
  BPF.JMP | BPF.JA,
  ...[BPF.JEQ, BPF.JGT, BPF.JGE, BPF.JSET].flatMap((op) => [BPF.JMP | op | BPF.K, BPF.JMP | op | BPF.X]),
  RET_K, RET_A, TAX, TXA,
];

/** xorshift32, seeded, so a failure can be replayed from the printed seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomProgram(r: () => number): BpfInstruction[] {
  const n = 1 + (r() % 24);
  const out: BpfInstruction[] = [];
  const pick = (m: number) => r() % m;
  for (let i = 0; i < n; i++) {
    let code = pick(40) === 0 ? r() & 0xffff : VALID_CODES[pick(VALID_CODES.length)];
    if (i === n - 1 && pick(10) !== 0) code = pick(2) === 0 ? RET_K : RET_A;
    const room = n - i - 1;
    const jt = pick(30) === 0 ? pick(256) : room > 0 ? pick(room) : 0;
    const jf = pick(30) === 0 ? pick(256) : room > 0 ? pick(room) : 0;
    let k: number;
    const cls = code & 0x07;
    const mode = code & 0xe0;
    const roll = pick(20);
    if (roll === 0) k = r();
    else if (roll === 1) k = (0xfffff000 + pick(64)) >>> 0;
    else if ((cls === BPF.LD || cls === BPF.LDX) && (mode === BPF.MEM)) k = pick(18);
    else if (cls === BPF.ST || cls === BPF.STX) k = pick(18);
    else if (cls === BPF.ALU && ((code & 0xf0) === BPF.LSH || (code & 0xf0) === BPF.RSH)) k = pick(36);
    else if (code === (BPF.JMP | BPF.JA)) k = (pick(2 * n + 2) - n - 1) >>> 0;
    else if (cls === BPF.JMP || cls === BPF.ALU) k = pick(3) === 0 ? r() : pick(300);
    else k = pick(100);
    out.push({ code, jt, jf, k });
  }
  return out;
}

test('bpf: fuzz — random programs and frames never throw and agree with a reference interpreter', (t) => {
  const seed = (Date.now() ^ (process.pid << 8)) >>> 0;
  const r = rng(seed);
  const buf = Buffer.alloc(160);
  let loaded = 0;
  let rejected = 0;
  let runs = 0;
  let nonZero = 0;
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline) {
    for (let iter = 0; iter < 200; iter++) {
      const insns = randomProgram(r);
      let prog: BpfProgram;
      try {
        prog = BpfProgram.load(insns);
      } catch (e) {
        assert.ok(e instanceof BpfError && e.reason === 'program', `seed ${seed}: load threw ${String(e)}`);
        rejected++;
        continue;
      }
      loaded++;
      for (let j = 0; j < 8; j++) {
        const off = r() % 16;
        const caplen = r() % 100;
        for (let b = 0; b < off + caplen; b++) buf[b] = r() & 0xff;
        const wire = r() % 4 === 0 ? r() : caplen + (r() % 64);
        const got = prog.run(buf, off, caplen, wire);
        const want = reference(insns, buf.subarray(off), caplen, wire);
        runs++;
        if (got !== 0) nonZero++;
        if (got !== want) {
          assert.fail(`seed ${seed}: ${JSON.stringify(insns)} on ${buf.subarray(off, off + caplen).toString('hex')} (wire ${wire}): got ${got}, reference ${want}`);
        }
        assert.ok(Number.isInteger(got) && got >= 0 && got < 2 ** 32);
      }
    }
  }
  assert.ok(loaded > 1000 && rejected > 100, `seed ${seed}: loaded ${loaded}, rejected ${rejected}`);
  assert.ok(nonZero > runs / 20, `seed ${seed}: only ${nonZero} of ${runs} runs returned non-zero`);
  t.diagnostic(`seed ${seed}: ${loaded} programs loaded, ${rejected} rejected, ${runs} runs, ${nonZero} non-zero`);
});

test('bpf: fuzz — every jump target of a loaded program is inside it', () => {
  const r = rng(12345);
  for (let iter = 0; iter < 20000; iter++) {
    const insns = randomProgram(r);
    let ok = true;
    try {
      BpfProgram.load(insns);
    } catch {
      ok = false;
    }
    if (!ok) continue;
    insns.forEach((ins, i) => {
      if ((ins.code & 0x07) !== BPF.JMP) return;
      const targets = (ins.code & 0xf0) === BPF.JA ? [i + 1 + (ins.k | 0)] : [i + 1 + ins.jt, i + 1 + ins.jf];
      for (const t of targets) assert.ok(t >= 0 && t < insns.length, JSON.stringify(insns));
    });
    assert.ok(insns[insns.length - 1].code === RET_K || insns[insns.length - 1].code === RET_A);
  }
});
