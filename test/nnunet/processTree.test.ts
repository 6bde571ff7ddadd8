// Cancel kills the whole tree: a parent that forks workers (like nnU-Net's augmentation
// workers), including one that ignores SIGTERM, leaves nothing behind in its process group.
import { describe, expect, it } from 'vitest'
import { groupMembers, killTree, spawnTree } from '../../electron/nnunet/processTree'

describe.skipIf(process.platform !== 'linux')('process tree', () => {
  it('terminates the parent and every worker, SIGKILL for those that ignore SIGTERM', async () => {
    // Two plain workers and one that traps TERM, all in the child's process group.
    // "started" comes from the TERM-ignoring worker after its trap is set, so a loaded machine
    // cannot kill it before it ignores TERM.
    const script = "sleep 300 & sleep 300 & (trap '' TERM; echo started; exec sleep 300) & wait"
    const tree = spawnTree('/bin/sh', ['-c', script], { env: process.env })
    await new Promise<void>((resolve) => tree.child.stdout!.once('data', () => resolve()))
    await new Promise((r) => setTimeout(r, 200))
    expect(groupMembers(tree.groupId).length).toBeGreaterThanOrEqual(4)
    const t0 = Date.now()
    expect(await killTree(tree, 1000)).toBe(true)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900) // the TERM-ignoring worker needed the SIGKILL
    expect(groupMembers(tree.groupId)).toEqual([])
    await tree.exited
  })

  it('reports a missing executable in words', async () => {
    const tree = spawnTree('/nonexistent/python', ['-V'], { env: process.env })
    await expect(tree.exited).rejects.toThrow(/does not exist/)
  })
})
