// One prepare at a time per dataset folder: the wizard and a terminal (or two wizard windows)
// writing the same DatasetNNN_Name would delete each other's staging files and interleave cases.
import { open, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

const held = new Set<string>()

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the lock for `folderName` in `outDir`; a lock left by a process that no longer runs is taken over. */
export async function lockDataset(outDir: string, folderName: string): Promise<() => Promise<void>> {
  const path = join(outDir, `.nnunet-wizard-lock-${folderName}`)
  if (held.has(path)) throw new Error(`${folderName} is already being written by another job in this app; wait for it to finish or cancel it.`)
  // Claimed synchronously, before any await, so two jobs of this process cannot both get past here.
  held.add(path)
  const release = async () => {
    held.delete(path)
    await rm(path, { force: true })
  }
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(path, 'wx')
        await fh.writeFile(String(process.pid))
        await fh.close()
        return release
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        const pid = Number(await readFile(path, 'utf8').catch(() => ''))
        // An empty lock file is one another process has just created and not yet written.
        const fresh = !pid && (await stat(path).then((s) => Date.now() - s.mtimeMs < 10_000, () => false))
        if (fresh || (pid && pid !== process.pid && alive(pid))) {
          throw new Error(`${folderName} is being written by another nnunet-wizard process${pid ? ` (pid ${pid})` : ''}; wait for it to finish. If no such process runs, delete ${path}.`)
        }
        await rm(path, { force: true })
      }
    }
  } catch (err) {
    held.delete(path)
    throw err
  }
  held.delete(path)
  throw new Error(`Could not lock ${join(outDir, folderName)} for writing; delete ${path} if no other run is writing it.`)
}
