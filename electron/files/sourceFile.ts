// One open file descriptor per source file, for the whole time a case reads it. A path is only a
// name: between two opens another file can be moved over it, or the file can be rewritten, so the
// check and the write would see different bytes. Here each file is opened once (a pipe or device
// is refused before open, and opened non-blocking so one swapped in cannot hang the read), its
// identity, size and mtime are taken at open, every read of it goes through that descriptor, and
// `verifyUnchanged` at the end refuses a file that changed, or whose name now leads elsewhere.
import { constants } from 'node:fs'
import { open, stat, type FileHandle } from 'node:fs/promises'
import type { Stats } from 'node:fs'

/** A source file that is not a regular file, or that changed while it was read; says which in words. */
export class SourceFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`${file}: ${reason}`)
  }
}

export const CHANGED_WHILE_READ = 'changed while being read'

/** What kind of file system entry a Stats describes, for messages. */
export function entryKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder'
  if (info.isFIFO()) return 'a named pipe (FIFO)'
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device'
  if (info.isSocket()) return 'a socket'
  return 'not a regular file'
}

export class SourceFile {
  private closed = false
  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
    readonly size: number,
    readonly mtimeMs: number,
    private readonly dev: number,
    private readonly ino: number,
  ) {}

  /**
   * Opens `path` for reading after checking that it is a regular file (a link is followed). Throws
   * the fs error itself (ENOENT, EACCES ...) or SourceFileError for a pipe, device or folder.
   */
  static async open(path: string): Promise<SourceFile> {
    const before = await stat(path)
    if (!before.isFile()) throw new SourceFileError(path, `it is ${entryKind(before)}, not a regular file`, 'ENOTREG')
    // O_NONBLOCK: if a pipe replaced the file since the stat above, open returns at once instead of
    // waiting for a writer for ever; the fstat below then refuses it.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    try {
      const info = await handle.stat()
      if (!info.isFile()) throw new SourceFileError(path, `it is ${entryKind(info)}, not a regular file`, 'ENOTREG')
      return new SourceFile(path, handle, info.size, info.mtimeMs, info.dev, info.ino)
    } catch (err) {
      await handle.close()
      throw err
    }
  }

  /** Reads up to `length` bytes at `position` (fewer at the end of the file). */
  async read(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)))
    let got = 0
    while (got < buf.length) {
      const { bytesRead } = await this.handle.read(buf, got, buf.length - got, position + got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    return buf.subarray(0, got)
  }

  /**
   * Reads [start, end) in chunks of `chunk` bytes, in order, through this descriptor; the file
   * ending early is a change (its size was taken at open).
   */
  async *chunks(start: number, end: number, chunk = 1 << 20, signal?: AbortSignal): AsyncGenerator<Buffer> {
    let pos = start
    while (pos < end) {
      signal?.throwIfAborted()
      const buf = Buffer.allocUnsafe(Math.min(chunk, end - pos))
      const { bytesRead } = await this.handle.read(buf, 0, buf.length, pos)
      if (bytesRead === 0) throw new SourceFileError(this.path, `${CHANGED_WHILE_READ}: it became shorter than the ${this.size} bytes it had when it was opened. Run the same command again once nothing is writing to it.`, 'ECHANGED')
      pos += bytesRead
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead)
    }
  }

  /**
   * Throws SourceFileError when the file changed since it was opened (size or mtime), or its path
   * now names another file (one moved over it): what was read may mix two versions, or not be
   * what the path holds now.
   */
  async verifyUnchanged(): Promise<void> {
    const now = await this.handle.stat()
    const named = await stat(this.path).catch(() => null)
    const changed = now.size !== this.size || now.mtimeMs !== this.mtimeMs
    const replaced = !named || named.dev !== this.dev || named.ino !== this.ino
    if (changed || replaced) {
      const how = changed ? `its size or modification time changed (${this.size} -> ${now.size} bytes)` : named ? 'another file was moved over it' : 'it was moved or deleted'
      throw new SourceFileError(this.path, `${CHANGED_WHILE_READ}: ${how} while this case was checked. Nothing of it was written; run the same command again once nothing is writing to it.`, 'ECHANGED')
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.handle.close().catch(() => undefined)
  }
}

/**
 * The files one volume read opens (its header and a detached data file), each opened once and
 * shared by the header reader, the payload check and the copy. Closed together.
 */
export class SourceSet {
  private readonly files = new Map<string, Promise<SourceFile>>()
  /** Test hook: runs once after the first open of each file (a test moves another file over it there). */
  constructor(private readonly afterOpen?: (path: string) => Promise<void>) {}

  open(path: string): Promise<SourceFile> {
    let f = this.files.get(path)
    if (!f) {
      f = SourceFile.open(path).then(async (s) => {
        if (this.afterOpen) await this.afterOpen(path)
        return s
      })
      f.catch(() => undefined)
      this.files.set(path, f)
    }
    return f
  }

  async opened(): Promise<SourceFile[]> {
    const out: SourceFile[] = []
    for (const f of this.files.values()) {
      const s = await f.catch(() => null)
      if (s) out.push(s)
    }
    return out
  }

  async verifyUnchanged(): Promise<void> {
    for (const s of await this.opened()) await s.verifyUnchanged()
  }

  async close(): Promise<void> {
    for (const s of await this.opened()) await s.close()
    this.files.clear()
  }
}
