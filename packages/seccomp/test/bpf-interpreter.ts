import { VoltError } from '@volt/core';
import { BPF, type BpfInstruction } from '../src/render/bpf.js';

/** The input of a seccomp filter (`struct seccomp_data`). */
export interface SeccompData {
  readonly nr: number;
  readonly arch: number;
  readonly instructionPointer?: bigint;
  readonly args?: readonly bigint[];
}

/** What running a filter gave: the return value and how many instructions ran. */
export interface BpfRunResult {
  readonly action: number;
  readonly executed: number;
}

function loadWord(data: SeccompData, offset: number): number {
  if (offset === 0) return data.nr >>> 0;
  if (offset === 4) return data.arch >>> 0;
  const wide = offset < 16 ? (data.instructionPointer ?? 0n) : (data.args?.[(offset - 16) >> 3] ?? 0n);
  const half = (offset & 4) === 0 ? wide & 0xffffffffn : (wide >> 32n) & 0xffffffffn;
  return Number(half);
}

/**
 * Runs a classic BPF seccomp filter on one `seccomp_data`, like the kernel does: only forward jumps,
 * 32-bit loads at aligned offsets below 64, 16 scratch words. Used by the tests and the benchmark.
 *
 * @throws {@link VoltError} `INVALID_VALUE` for a program the kernel would refuse (bad load, jump out of
 *   the program, falling off the end, unknown opcode).
 * @example
 * ```ts
 * runBpf([stmt(BPF.RET | BPF.K, 0x7fff0000)], { nr: 39, arch: 0xc000003e }); // { action: 0x7fff0000, executed: 1 }
 * ```
 */
export function runBpf(program: readonly BpfInstruction[], data: SeccompData): BpfRunResult {
  let a = 0;
  let x = 0;
  const memory = new Uint32Array(16);
  let pc = 0;
  let executed = 0;
  const refuse = (why: string): VoltError =>
    new VoltError('INVALID_VALUE', `instruction ${pc}: ${why}`, { path: [pc] });
  while (true) {
    const insn = program[pc];
    if (insn === undefined) throw refuse('ran past the end of the program');
    executed++;
    const cls = insn.code & 0x07;
    const source = (insn.code & BPF.X) === BPF.X ? x : insn.k;
    switch (cls) {
      case BPF.LD:
      case BPF.LDX: {
        const mode = insn.code & 0xe0;
        let value: number;
        if (mode === BPF.ABS && (insn.code & 0x18) === BPF.W) {
          if (insn.k % 4 !== 0 || insn.k >= 64) throw refuse(`load from offset ${insn.k}`);
          value = loadWord(data, insn.k);
        } else if (mode === BPF.IMM) value = insn.k;
        else if (mode === BPF.MEM) value = memory[insn.k & 15] ?? 0;
        else if (mode === BPF.LEN) value = 64;
        else throw refuse(`unsupported load ${insn.code}`);
        if (cls === BPF.LD) a = value >>> 0;
        else x = value >>> 0;
        pc++;
        break;
      }
      case BPF.ST:
      case BPF.STX:
        memory[insn.k & 15] = cls === BPF.ST ? a : x;
        pc++;
        break;
      case BPF.ALU: {
        const op = insn.code & 0xf0;
        if (op === BPF.ADD) a = (a + source) >>> 0;
        else if (op === BPF.SUB) a = (a - source) >>> 0;
        else if (op === BPF.MUL) a = Math.imul(a, source) >>> 0;
        else if (op === BPF.DIV) a = source === 0 ? 0 : Math.floor(a / source) >>> 0;
        else if (op === BPF.MOD) a = source === 0 ? 0 : (a % source) >>> 0;
        else if (op === BPF.OR) a = (a | source) >>> 0;
        else if (op === BPF.AND) a = (a & source) >>> 0;
        else if (op === BPF.XOR) a = (a ^ source) >>> 0;
        else if (op === BPF.LSH) a = source >= 32 ? 0 : (a << source) >>> 0;
        else if (op === BPF.RSH) a = source >= 32 ? 0 : a >>> source;
        else if (op === BPF.NEG) a = -a >>> 0;
        else throw refuse(`unsupported ALU op ${op}`);
        pc++;
        break;
      }
      case BPF.JMP: {
        const op = insn.code & 0xf0;
        if (op === BPF.JA) {
          pc += 1 + insn.k;
          break;
        }
        let taken: boolean;
        if (op === BPF.JEQ) taken = a === source >>> 0;
        else if (op === BPF.JGT) taken = a > source >>> 0;
        else if (op === BPF.JGE) taken = a >= source >>> 0;
        else if (op === BPF.JSET) taken = (a & source) !== 0;
        else throw refuse(`unsupported jump ${op}`);
        pc += 1 + (taken ? insn.jt : insn.jf);
        break;
      }
      case BPF.RET:
        return { action: ((insn.code & 0x18) === BPF.A ? a : insn.k) >>> 0, executed };
      case BPF.MISC:
        if ((insn.code & 0xf8) === BPF.TXA) a = x;
        else x = a;
        pc++;
        break;
      default:
        throw refuse(`unknown instruction class ${cls}`);
    }
  }
}
