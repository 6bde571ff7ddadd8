// The one error a volume read throws: the file it is about and what is wrong with it, in words a
// researcher can act on. Kept apart from volume.ts so the header reader and the payload check can
// throw it without importing itk-wasm.
export class VolumeReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`Could not read ${file}: ${reason}`)
  }
}

/** Sizes for messages: "2.0 GiB (2147483648 bytes)" for big ones, exact bytes for small ones. */
export function formatByteCount(n: number): string {
  if (n < 1024 * 1024) return `${n} bytes`
  const units = ['MiB', 'GiB', 'TiB', 'PiB', 'EiB']
  let v = n / (1024 * 1024)
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(1)} ${units[u]} (${n.toLocaleString('en-US')} bytes)`
}

/** The message for a file system error on `file` (the volume itself or its data file). */
export function describeFsError(err: unknown, file: string, what = 'the file'): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      return `${what} ${file} does not exist (moved or deleted?).`
    case 'EACCES':
    case 'EPERM':
      return `permission denied: this user may not read ${file}. Check its permissions (e.g. chmod a+r) or run as a user who may read it.`
    case 'ELOOP':
      return `${file} is a symbolic link loop (the link points back to itself): fix or remove the link.`
    case 'EISDIR':
      return `${file} is a folder, not a volume file.`
    case 'EIO':
      return `the disk reported an input/output error while reading ${file} (a failing disk or a network drive that went away). Copy the file again.`
    default:
      return `${what} ${file} cannot be read (${code ?? (err instanceof Error ? err.message : String(err))}).`
  }
}
