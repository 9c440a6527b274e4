import { fail, ok, type Result, VoltError } from '../errors.js';
import { notAString } from './describe.js';

/** Linux errno names and numbers (the generic table shared by x86_64 and aarch64). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  ERANGE: 34,
  ENOSYS: 38,
  ENOTSUP: 95,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  ECONNREFUSED: 111,
} as const;

/** An errno name known to {@link ERRNO}. */
export type ErrnoName = keyof typeof ERRNO;

/**
 * Parses an errno given as a name (`EPERM`) or a number (1..4095).
 *
 * @example
 * ```ts
 * parseErrno('EACCES'); // { ok: true, value: 13 }
 * parseErrno(4096).ok; // false, code INVALID_VALUE
 * ```
 */
export function parseErrno(input: string | number): Result<number> {
  if (typeof input !== 'string' && typeof input !== 'number')
    return notAString(input, 'an errno name or number');
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input >= 1 && input <= 4095) return ok(input);
  } else if (Object.hasOwn(ERRNO, input)) {
    return ok(ERRNO[input as ErrnoName]);
  } else if (/^\d{1,4}$/.test(input) && Number(input) >= 1 && Number(input) <= 4095) {
    return ok(Number(input));
  }
  return fail(
    new VoltError(
      'INVALID_VALUE',
      `${JSON.stringify(input)} is not an errno; accepted: a name such as EPERM or EACCES, or a number from 1 to 4095`,
    ),
  );
}

/**
 * The name of an errno number, if it has one in {@link ERRNO}.
 *
 * @example
 * ```ts
 * errnoName(1); // 'EPERM'
 * ```
 */
export function errnoName(errno: number): ErrnoName | undefined {
  for (const [name, value] of Object.entries(ERRNO)) if (value === errno) return name as ErrnoName;
  return undefined;
}
