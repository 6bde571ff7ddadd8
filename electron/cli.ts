// nnunet-wizard: the headless face of the app. Each command lives in electron/cli/<name>.ts and
// is loaded on demand, so `--help` is instant and a command never pays for another's imports.
import { commandTable, type CliCommand } from './cli/table'
import { APP_VERSION } from './appVersion'

function usage(): string {
  const width = Math.max(...Object.keys(commandTable).map((n) => n.length))
  const rows = Object.entries(commandTable).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return [
    'nnunet-wizard - prepare datasets for nnU-Net (v1 and v2) and train them',
    '',
    'usage: nnunet-wizard <command> [options]',
    '',
    'commands:',
    ...rows,
    '',
    "Run 'nnunet-wizard <command> --help' for a command's options.",
  ].join('\n')
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return 0
  }
  if (name === '--version' || name === '-v') {
    console.log(APP_VERSION)
    return 0
  }
  const entry = commandTable[name]
  if (!entry) {
    console.error(`nnunet-wizard: unknown command '${name}'.\n\n${usage()}`)
    return 2
  }
  const cmd: CliCommand = await entry.load()
  // A command with subcommands (dicom list / export) answers --help itself, for the subcommand asked about.
  if ((rest.includes('--help') || rest.includes('-h')) && !('subcommands' in cmd && rest[0] && !rest[0].startsWith('-'))) {
    console.log(cmd.help)
    return 0
  }
  return cmd.run(rest)
}

main(process.argv.slice(2)).then(
  (code) => {
    // serve keeps running; every other command ends with its exit code.
    if (code >= 0) process.exitCode = code
  },
  (err: unknown) => {
    console.error(`nnunet-wizard: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  },
)
