// How an nnU-Net tool is started for a given interpreter. Preferred: the console script that
// belongs to that interpreter (venv/bin/nnUNetv2_train, what the guide types). When there is none
// (a conda env on another layout, a pip --user install) the same entry point is run through the
// interpreter itself with a fixed `-c` program; that program is built only from the constant
// table in shared/nnunetArgs.ts, never from user text, and user values travel as argv.
import { existsSync, openSync, readSync, closeSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { NnunetCommand, NnunetTool } from '../../shared/nnunetArgs'
import { iterationWrapperPy, iterationWrapperV1Py } from './trainerParts'

export interface Invocation {
  file: string
  args: string[]
}

function firstLine(file: string): string {
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    const buf = Buffer.alloc(512)
    const n = readSync(fd, buf, 0, buf.length, 0)
    return buf.subarray(0, n).toString('utf8').split('\n')[0] ?? ''
  } catch {
    return ''
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** The console script installed for `python`, when it exists and really runs that interpreter. */
export function consoleScriptFor(python: string, tool: NnunetTool): string | undefined {
  const bin = dirname(resolve(python))
  if (process.platform === 'win32') {
    for (const candidate of [join(bin, `${tool.script}.exe`), join(bin, 'Scripts', `${tool.script}.exe`)]) {
      if (existsSync(candidate)) return candidate
    }
    return undefined
  }
  const script = join(bin, tool.script)
  if (!existsSync(script)) return undefined
  // A shebang pointing at another interpreter (a stale copy of a venv) would run the wrong Python.
  const shebang = firstLine(script)
  return shebang.startsWith(`#!${bin}/`) ? script : undefined
}

/** The `-c` program that runs an entry point exactly as its console script would. */
export function entryProgram(tool: NnunetTool): string {
  const [mod, fn] = tool.entry.split(':') as [string, string]
  return `import sys; from ${mod} import ${fn} as _entry; sys.argv[0] = ${JSON.stringify(tool.script)}; sys.exit(_entry())`
}

/**
 * How the app itself starts a tool on this machine: training runs through the thin wrapper that
 * makes nnU-Net's own trainers report each iteration (trainerParts.ts; v2 also stop-and-keep on
 * SIGUSR2; the generated trainers do that themselves); a fixed program, user values only as argv.
 * Scripts written for other machines keep the plain invocation.
 */
export function appInvocation(python: string, cmd: NnunetCommand): Invocation {
  const wrapper = cmd.tool.script === 'nnUNetv2_train' ? iterationWrapperPy() : cmd.tool.script === 'nnUNet_train' ? iterationWrapperV1Py() : undefined
  if (!wrapper) return invocation(python, cmd)
  return { file: python, args: ['-c', `${wrapper}\n${entryProgram(cmd.tool).replace(/; /g, '\n')}\n`, ...cmd.args] }
}

export function invocation(python: string, cmd: NnunetCommand): Invocation {
  const script = consoleScriptFor(python, cmd.tool)
  if (script) return { file: script, args: cmd.args }
  return { file: python, args: ['-c', entryProgram(cmd.tool), ...cmd.args] }
}
