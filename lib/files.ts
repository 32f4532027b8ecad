import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

/**
 * Reading a file named by configuration, the one way the project does it. The name
 * comes from someone else's env file, so it may be a symlink to `/dev/zero`, a FIFO
 * that never delivers, a directory, or a multi-gigabyte file: each is refused with a
 * message instead of a hang, a stack trace or an exhausted heap.
 */

/** A file that is not a readable regular file of acceptable size; the message says why. */
export class FileRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileRefusedError';
  }
}

export interface ReadFileOptions {
  /** Larger files are refused before a byte is read. */
  readonly maxBytes: number;
  /**
   * Refuse a file whose real path (symlinks followed) is outside this folder.
   * @default no restriction
   */
  readonly within?: string;
}

function kind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Whether `path` is `folder` or lies below it (both real paths). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Reads a regular file completely. The real path is resolved first (so `../` and
 * symlinks cannot leave `within`), then opened with O_NOFOLLOW and O_NONBLOCK (a FIFO
 * opens without waiting for a writer, and a symlink swapped in after the check is not
 * followed) and judged by fstat on the open descriptor: only a regular file of at
 * most `maxBytes` is read.
 */
export function readRegularFile(path: string, options: ReadFileOptions): Buffer {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileRefusedError('does not exist');
    if (code === 'ELOOP') throw new FileRefusedError('is a symlink loop');
    throw new FileRefusedError(`cannot be read (${code ?? 'error'})`);
  }
  if (options.within !== undefined && !isInside(real, realpathSync(options.within))) {
    throw new FileRefusedError(`resolves to ${real}, outside the project folder ${options.within}`);
  }
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new FileRefusedError('is a directory, not a file');
    throw new FileRefusedError(`cannot be opened (${code ?? 'error'})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FileRefusedError(`is ${kind(stats)}, not a regular file`);
    if (stats.size > options.maxBytes) throw new FileRefusedError(`is ${stats.size} bytes; at most ${options.maxBytes} bytes are accepted`);
    // Read at most one byte past the cap: a file that grows after fstat is still bounded.
    const buffer = Buffer.alloc(options.maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > options.maxBytes) throw new FileRefusedError(`grew past ${options.maxBytes} bytes while being read`);
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
