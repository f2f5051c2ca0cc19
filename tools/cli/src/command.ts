/** A CLI command: one module per command in ./commands, exporting `command`, named as typed. */
export interface CliCommand {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}
