#!/usr/bin/env node
// The command line: the only place that touches argv, stdout, files written and exit codes.
// Exit 0 ok, 2 bad input, 1 internal error.
import { Command, CommanderError, Option } from 'commander';
import { InputError } from '../errors.js';
import { runCommand } from './run.js';
import { tracesCommand } from './traces.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;

function program(): Command {
  const cli = new Command('carbon-sim')
    .description('Carbon- and power-aware job scheduling simulator with a phased power model')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);

  cli
    .command('run')
    .description('simulate a workload under one scheduler and print a summary')
    .argument('<workload>', 'workload trace: GAIA CSV (arrival_time,length,cpus) or typed | trace')
    .requiredOption('--carbon <trace>', 'carbon intensity CSV file or bundled name (e.g. DE-2023; see `carbon-sim traces`)')
    .option('--scheduler <name>', 'agnostic | oracle | waitawhile | replay', 'agnostic')
    .option('--max-wait <duration>', 'how long a job may wait beyond its uninterrupted duration (90s, 30m, 24h, 2d; 6hx24h: jobs under 2 h wait 6h, others 24h)', '24h')
    .option('--slot <duration>', 'slot length for slot-based schedulers (default: the carbon resolution)')
    .option('--seed <n>', 'seed for every random choice', '0')
    .option('--start <iso>', 'instant of simulation time 0 (default: first timestamp of the carbon trace)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--out <dir>', 'write events.csv, events.jsonl and summary.json to this folder')
    .addOption(new Option('--time-unit <unit>', 'unit of the workload times').choices(['s', 'h']).default('s'))
    .option('--watts-per-cpu <watts>', 'power of constant jobs per cpu (GAIA model)', '1')
    .addOption(new Option('--carbon-column <column>', 'Electricity Maps intensity column').choices(['direct', 'lca']).default('direct'))
    .addOption(new Option('--extend <mode>', 'past the end of the carbon trace').choices(['none', 'repeat', 'hold']).default('none'))
    .option('--plan <file>', 'plan file for --scheduler replay: {"jobs": {"<id>": [[start, end], ...]}}')
    .action((workload: string, opts: Record<string, string>) => runCommand(workload, opts));

  cli
    .command('traces')
    .description('list the bundled carbon traces')
    .action(() => tracesCommand());
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return EXIT_OK;
      return EXIT_BAD_INPUT; // commander already printed its one-line message
    }
    if (err instanceof InputError) {
      process.stderr.write(`carbon-sim: error: ${err.oneLine()}\n`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(`carbon-sim: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_INTERNAL;
  }
}

// A closed pipe (`carbon-sim run ... | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
