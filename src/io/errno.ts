// File-system failures worded once: readers and writers name the path, this table says what went wrong.

const READ_FAILURES: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "is a directory, not a data file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a parent of it is not a directory",
};

const WRITE_FAILURES: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such directory",
  ENOTDIR: "a parent of it is not a directory",
  EISDIR: "it is a directory",
  EEXIST: "a directory is in the way",
  ENOTEMPTY: "a directory is in the way",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException)?.code ?? "";

/** Why reading failed, in words, or undefined for an error that is not the user's file system's. */
export function readFailure(err: unknown): string | undefined {
  return READ_FAILURES[codeOf(err)];
}

/** Why writing failed, in words, or undefined for an error that is not the user's file system's. */
export function writeFailure(err: unknown): string | undefined {
  return WRITE_FAILURES[codeOf(err)];
}
