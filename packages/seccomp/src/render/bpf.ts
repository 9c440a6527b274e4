import { VoltError } from '@volt/core';

/** One classic BPF instruction (`struct sock_filter`). */
export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/**
 * Classic BPF opcode parts (linux/bpf_common.h).
 *
 * @example
 * ```ts
 * BPF.RET | BPF.K; // 0x06: return a constant
 * ```
 */
export const BPF = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  RET: 0x06,
  MISC: 0x07,
  W: 0x00,
  H: 0x08,
  B: 0x10,
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  LEN: 0x80,
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  K: 0x00,
  X: 0x08,
  A: 0x10,
  TAX: 0x00,
  TXA: 0x80,
} as const;

/**
 * seccomp filter return values (linux/seccomp.h); the low 16 bits carry data such as the errno.
 *
 * @example
 * ```ts
 * SECCOMP_RET.ERRNO | 13; // fail the call with EACCES
 * ```
 */
export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

/**
 * Offsets into `struct seccomp_data`.
 *
 * @example
 * ```ts
 * stmt(BPF.LD | BPF.W | BPF.ABS, SECCOMP_DATA.ARCH); // load the architecture
 * ```
 */
export const SECCOMP_DATA = { NR: 0, ARCH: 4, IP_LO: 8, ARGS: 16 } as const;

/**
 * The kernel's limit on instructions per filter (BPF_MAXINSNS).
 *
 * @example
 * ```ts
 * BPF_MAX_INSTRUCTIONS; // 4096
 * ```
 */
export const BPF_MAX_INSTRUCTIONS = 4096;

/**
 * Size of one encoded `struct sock_filter`.
 *
 * @example
 * ```ts
 * bytes.length / SOCK_FILTER_SIZE; // instruction count
 * ```
 */
export const SOCK_FILTER_SIZE = 8;

/**
 * A statement (no jump targets).
 *
 * @example
 * ```ts
 * stmt(BPF.RET | BPF.K, SECCOMP_RET.ALLOW);
 * ```
 */
export function stmt(code: number, k: number): BpfInstruction {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

/**
 * A conditional jump.
 *
 * @example
 * ```ts
 * jump(BPF.JMP | BPF.JEQ | BPF.K, 0xc000003e, 1, 0);
 * ```
 */
export function jump(code: number, k: number, jt: number, jf: number): BpfInstruction {
  return { code, jt, jf, k: k >>> 0 };
}

/**
 * Encodes a program as the kernel reads it: an array of `struct sock_filter` (u16 code, u8 jt, u8 jf,
 * u32 k), little endian, 8 bytes each.
 *
 * @throws {@link VoltError} `INVALID_VALUE` if a field is out of range or the program is empty or too long.
 * @example
 * ```ts
 * encodeBpf([stmt(BPF.RET | BPF.K, SECCOMP_RET.ALLOW)]).length; // 8
 * ```
 */
export function encodeBpf(program: readonly BpfInstruction[]): Uint8Array {
  if (program.length === 0 || program.length > BPF_MAX_INSTRUCTIONS)
    throw new VoltError(
      'INVALID_VALUE',
      `a filter has ${program.length} instructions; accepted: 1..${BPF_MAX_INSTRUCTIONS}`,
    );
  const bytes = new Uint8Array(program.length * SOCK_FILTER_SIZE);
  const view = new DataView(bytes.buffer);
  program.forEach((insn, index) => {
    if (insn.code > 0xffff || insn.jt > 0xff || insn.jf > 0xff || insn.k > 0xffffffff || insn.k < 0)
      throw new VoltError('INVALID_VALUE', `instruction ${index} has a field out of range`, {
        path: [index],
      });
    const at = index * SOCK_FILTER_SIZE;
    view.setUint16(at, insn.code, true);
    view.setUint8(at + 2, insn.jt);
    view.setUint8(at + 3, insn.jf);
    view.setUint32(at + 4, insn.k, true);
  });
  return bytes;
}

/**
 * Decodes a `struct sock_filter` array (e.g. from `seccomp_export_bpf`) into instructions.
 *
 * @throws {@link VoltError} `PARSE_ERROR` if the length is not a multiple of 8.
 * @example
 * ```ts
 * decodeBpf(encodeBpf([stmt(BPF.RET | BPF.K, 0)]))[0]?.code; // 6
 * ```
 */
export function decodeBpf(bytes: Uint8Array): BpfInstruction[] {
  if (bytes.length % SOCK_FILTER_SIZE !== 0)
    throw new VoltError('PARSE_ERROR', `${bytes.length} bytes is not a whole number of 8-byte instructions`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const program: BpfInstruction[] = [];
  for (let at = 0; at < bytes.length; at += SOCK_FILTER_SIZE)
    program.push({
      code: view.getUint16(at, true),
      jt: view.getUint8(at + 2),
      jf: view.getUint8(at + 3),
      k: view.getUint32(at + 4, true),
    });
  return program;
}

const hex = (value: number): string => `0x${value.toString(16)}`;

/**
 * A readable listing of a program, one instruction per line, for debugging and docs.
 *
 * @example
 * ```ts
 * disassembleBpf([stmt(BPF.RET | BPF.K, SECCOMP_RET.ALLOW)]); // '0000: ret 0x7fff0000'
 * ```
 */
export function disassembleBpf(program: readonly BpfInstruction[]): string {
  return program
    .map((insn, pc) => {
      const cls = insn.code & 0x07;
      const target = (offset: number): string => String(pc + 1 + offset).padStart(4, '0');
      let text: string;
      if (cls === BPF.LD && (insn.code & 0xe0) === BPF.ABS) text = `ld [${insn.k}]`;
      else if (cls === BPF.LD && (insn.code & 0xe0) === BPF.MEM) text = `ld M[${insn.k}]`;
      else if (cls === BPF.LD) text = `ld ${hex(insn.k)}`;
      else if (cls === BPF.RET) text = (insn.code & 0x18) === BPF.A ? 'ret A' : `ret ${hex(insn.k)}`;
      else if (cls === BPF.JMP && (insn.code & 0xf0) === BPF.JA) text = `ja ${target(insn.k)}`;
      else if (cls === BPF.JMP) {
        const op = { [BPF.JEQ]: 'jeq', [BPF.JGT]: 'jgt', [BPF.JGE]: 'jge', [BPF.JSET]: 'jset' }[
          insn.code & 0xf0
        ];
        const operand = (insn.code & BPF.X) === BPF.X ? 'X' : hex(insn.k);
        text = `${op ?? '?'} ${operand} ? ${target(insn.jt)} : ${target(insn.jf)}`;
      } else text = `op ${hex(insn.code)} ${hex(insn.k)}`;
      return `${String(pc).padStart(4, '0')}: ${text}`;
    })
    .join('\n');
}
