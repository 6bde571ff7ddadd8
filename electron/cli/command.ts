// What every `nnunet-wizard <command>` module exports (cli/table.ts loads them by name). Its own
// module, so a command that names the type does not import the table that imports it.
export interface CliCommand {
  help: string
  /** Resolves with the exit code; a negative code means "keep running" (serve). */
  run(argv: string[]): Promise<number>
}
