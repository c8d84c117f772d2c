#!/usr/bin/env node
// The command line: the only place that touches argv, stdout, files written and exit codes.
// Exit 0 ok, 2 bad input, 1 internal error.
import { Command, CommanderError, Help, Option } from 'commander';
import { FILL_MODES } from '../carbon/transform.js';
import { CARBON_UNITS } from '../carbon/csv.js';
import { InputError } from '../errors.js';
import { PLAN_LENGTHS, START_GRIDS } from '../schedulers/candidates.js';
import { schedulerNames } from '../schedulers/registry.js';
import { SOLVERS } from '../solvers/solve.js';
import { CALENDAR_RULES } from '../model/deadlines.js';
import { benchCommand, type BenchFlags } from './bench.js';
import { POLICIES } from '../policies/registry.js';
import { convertCommand, WRITABLE_FORMATS, type ConvertOptions } from './convert.js';
import { registerDr } from './dr.js';
import { fitCommand, type FitFlags } from './fit.js';
import { mergeCommand } from './merge.js';
import { placeCommand, type PlaceFlags } from './place.js';
import { reportCommand, type ReportFlags } from './report.js';
import { runCommand } from './run.js';
import { registerServe } from './serve.js';
import { registerSurrogate } from './surrogate.js';
import { registerEnv } from './env.js';
import { tracesCommand } from './traces.js';
import { workerCommand, type WorkerFlags } from './worker.js';
import { debugRequested, internalErrorLine, stdoutError, stdoutIsManaged } from './output.js';
import { CARBON_SIM_VERSION } from '../sweep/provenance.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;

function program(): Command {
  const cli = new Command('carbon-sim')
    .description('Carbon- and power-aware job scheduling simulator with a phased power model')
    .version(CARBON_SIM_VERSION, '-V, --version', 'print the carbon-sim version')
    .option('--debug', 'print the stack trace of an internal error (a bug)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    // every command's help marks its required options (subcommands inherit this)
    .configureHelp({
      optionDescription(this: Help, option: Option): string {
        const text = Help.prototype.optionDescription.call(this, option);
        return option.mandatory ? `${text} (required)` : text;
      },
    })
    .showHelpAfterError(false);

  cli
    .command('run')
    .description('simulate a workload under one scheduler and print a summary')
    .argument('<workload>', 'workload: GAIA CSV (arrival_time,length,cpus), typed | trace or SWF log, plain or gzip, or a bundled name (pai_1k, roberta)')
    .requiredOption('--carbon <trace>', 'carbon intensity CSV file or bundled name (e.g. DE-2023; see `carbon-sim traces`)')
    .option('--scheduler <name>', `planners: ${schedulerNames().join(' | ')}; online batch policies: ${Object.keys(POLICIES).join(' | ')}`, 'agnostic')
    .option('--cluster <spec>', 'finite cluster: procs:N, NxN{cpus:32,mem:256G,gpus:8,gpu:A100}, swf (the log\'s MaxProcs), or a JSON or openb node-list file (default: infinite capacity)')
    .option('--processor-power <idle/busy>', 'watts of one processor idle/busy on procs: and swf clusters (default 95/190)')
    .option('--cpu-package-power <idle/busy>', 'watts of one 32-vCPU CPU package idle/busy on node clusters (default 15/120)')
    .option('--gpu-power <model=idle/busy,...>', 'watts of GPUs by model, e.g. A100=50/400,T4=10/70 (defaults: PWR\'s table)')
    .option('--max-wait <duration>', 'how long a job may wait beyond its uninterrupted duration (with a unit: 90s, 30m, 24h, 2d; 6hx24h: jobs under 2 h wait 6h, others 24h; default 24h)')
    .addOption(new Option('--deadline <rule>', 'calendar deadlines instead of --max-wait: next-workday (17:00, or 09:00 of the next weekday), semi-weekly (Monday or Thursday 09:00)').choices(CALENDAR_RULES))
    .option('--timezone <zone>', 'IANA time zone of --deadline (default UTC)')
    .option('--skip-incomplete', 'SWF: skip jobs without submit time, run time or processors, or with zero run time, and report how many')
    .option('--slot <duration>', 'slot length for slot-based schedulers (default: the carbon resolution)')
    .option('--seed <n>', 'seed for every random choice', '0')
    .option('--start <iso>', 'cut the carbon trace to begin here, at simulation time 0 (default: its first timestamp; UTC unless the instant has an offset)')
    .option('--end <iso>', 'cut the carbon trace to end here, exclusive (default: its end)')
    .option('--resample <duration>', 'resample the carbon trace to this step, each value the mean over its bucket (e.g. 30m, 4h)')
    .addOption(new Option('--fill <mode>', 'carbon gaps, duplicates and empty values: none (an error naming the line), hold (previous value) or linear').choices(FILL_MODES).default('none'))
    .option('--forecast <spec>', 'what schedulers see: oracle, gaussian:E (actual + Normal(0, E x mean)) or uniform:E (actual x (1 + U(-E/2, E/2))), seeded by --seed', 'oracle')
    .option('--repeat <n>', 'run seeds seed..seed+N-1 and report the mean and 95% interval of each summary metric')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--out <dir>', 'write events.csv, events.jsonl and summary.json to this folder')
    .option('--report <file>', 'write an HTML report (charts against the carbon-agnostic baseline, tables) of the run; its charts also as SVG files in <name>-charts/ beside it')
    .option('--progress', 'print a progress line on stderr every few seconds (for long runs, e.g. in batch jobs)')
    .addOption(new Option('--time-unit <unit>', 'unit of the workload times').choices(['s', 'h']).default('s'))
    .option('--watts-per-cpu <watts>', 'power of constant jobs per cpu (GAIA model)', '1')
    .addOption(new Option('--carbon-column <column>', 'Electricity Maps intensity column').choices(['direct', 'lca']).default('direct'))
    .option('--carbon-time-column <name>', 'the carbon file\'s time column, by header name (default: recognised: Datetime (UTC), datetime, timestamp, time, from, point_time, ...)')
    .option('--carbon-value-column <name>', 'the carbon file\'s intensity column, by header name (default: recognised exports\' column, or value / intensity / carbon_intensity)')
    .addOption(new Option('--carbon-unit <unit>', 'unit of the carbon values, converted to gCO2/kWh (default g/kWh; WattTime MOER is lb/MWh)').choices(CARBON_UNITS))
    .addOption(new Option('--extend <mode>', 'past the end of the carbon trace').choices(['none', 'repeat', 'hold']).default('none'))
    .option('--plan <file>', 'plan file for --scheduler replay: {"jobs": {"<id>": [[start, end], ...]}}')
    .addOption(new Option('--start-grid <grid>', 'lowest-window, carbon-time: candidate starts, slot boundaries or arrival + whole hours (default: clock)').choices(START_GRIDS))
    .addOption(new Option('--length <length>', "lowest-window, carbon-time: plan with the job's length or its queue's mean so far (default: actual)").choices(PLAN_LENGTHS))
    .option('--threshold-quantile <q>', "ecovisor: quantile of the next day's intensity used as threshold (default: 0.3)")
    .addOption(new Option('--solver <solver>', 'lp: exact dynamic program, or the MILP on HiGHS or javascript-lp-solver (default: dp)').choices(SOLVERS))
    .option('--max-starts <n>', 'lp: at most this many run intervals per job (default: no cap)')
    .action((workload: string, opts: Record<string, string>) => runCommand(workload, opts));

  cli
    .command('convert')
    .description('convert a workload between SWF, GAIA CSV and the typed | format')
    .argument('<in>', 'workload: GAIA CSV, typed | trace or SWF log, plain or gzip')
    .argument('<out>', 'output file (gzip when it ends in .gz)')
    .addOption(new Option('--to <format>', 'output format (default: swf for .swf and .swf.gz names)').choices(WRITABLE_FORMATS))
    .addOption(new Option('--time-unit <unit>', 'unit of the input times (CSV traces)').choices(['s', 'h']).default('s'))
    .addOption(new Option('--out-time-unit <unit>', 'unit of the output times (CSV traces)').choices(['s', 'h']).default('s'))
    .option('--watts-per-cpu <watts>', 'power of constant jobs per cpu, for reading and writing', '1')
    .option('--skip-incomplete', 'SWF: skip jobs without submit time, run time or processors, or with zero run time, and report how many')
    .action((input: string, out: string, opts: ConvertOptions) => convertCommand(input, out, opts));

  cli
    .command('traces')
    .description('list the bundled carbon traces (Electricity Maps, ODbL) with period, resolution and mean intensity')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action((opts: { format: string }) => tracesCommand(opts));

  cli
    .command('bench')
    .description('run a sweep: schedulers x carbon x waits x workloads x forecasts x seeds (see docs/bench.md)')
    .argument('<suite>', 'suite JSON file, or a built-in suite: thesis | ml-overhead | gaia | regions | perf')
    .option('--out <dir>', 'output folder (default: bench-<suite name>)')
    .option('--workers <n>', 'worker threads (default: cores - 1)')
    .option('--resume', 'continue a killed sweep in --out: runs already logged are kept, not redone')
    .option('--shard <i/n>', 'run only the i-th of n deterministic slices (join them with carbon-sim merge)')
    .option('--progress', 'print a progress line on stderr every few seconds when stderr is not a terminal (a terminal gets a progress bar anyway)')
    .option('--queue <url>', 'enqueue the runs on Redis (redis://host:port[/db]) for carbon-sim worker processes; results come back here (docs/sweeps.md)')
    .action((suite: string, opts: BenchFlags) => benchCommand(suite, opts));

  cli
    .command('worker')
    .description('process the runs that bench --queue enqueued, until SIGINT/SIGTERM (docs/sweeps.md)')
    .requiredOption('--queue <url>', 'Redis URL: redis://host:port[/db]')
    .option('--concurrency <n>', 'runs at a time, each on its own thread (default: cores - 1)')
    .option('--cache <dir>', 'folder for the input files, by content hash (default: <tmpdir>/carbon-sim-inputs)')
    .option('--lock <duration>', "a run whose worker stops renewing its lock for this long goes to another worker (default: 30s)")
    .option('--idle-exit <duration>', 'exit after this long without a run (default: never)')
    .option('--name <name>', 'worker name recorded with each job it processes (default: host-pid)')
    .action((opts: WorkerFlags) => workerCommand(opts));

  cli
    .command('merge')
    .description('join bench output folders (shards) into one complete sweep')
    .argument('<dirs...>', 'bench output folders')
    .requiredOption('--out <dir>', 'output folder for the merged sweep')
    .action((dirs: string[], opts: { out: string }) => mergeCommand(dirs, opts));

  cli
    .command('report')
    .description('one self-contained HTML report (inline SVG charts, tables) of a bench or run --out folder')
    .argument('<output>', 'a carbon-sim bench output folder, or a run --out folder')
    .option('-o, --output <file>', 'HTML file to write; its charts also as SVG files in <name>-charts/ beside it', 'report.html')
    .option('--group <n>', 'bench: the group whose runs the timelines show (1-based, summary order; 0: none)', '1')
    .option('--jobs <n>', 'jobs drawn in each timeline (the earliest arrivals)', '30')
    .action((output: string, opts: ReportFlags) => reportCommand(output, opts));

  cli
    .command('fit')
    .description('fit a phased job model (startup, work, resume phases) from power recordings and events (see docs/fit.md)')
    .argument('<runs...>', 'run folders of complete runs, each with measurements.csv (mW samples, then start and end Unix times) and events.csv (epoch, label)')
    .option('--baseline <folders...>', 'idle runs (e.g. sleep): their mean power is subtracted from every sample')
    .option('--resume <folders...>', 'resumed runs (e.g. continue_after_*): fit the resume phases from their startup')
    .option('--interrupted <folders...>', 'first parts and continuations of interrupted runs: predicted vs measured energy')
    .option('--out <file>', 'write the job spec and error report as JSON')
    .option('--trace <file>', 'write the job as a one-row typed | trace')
    .option('--id <id>', 'job id in the trace row', 'fitted')
    .option('--lead <seconds>', 'seconds from the recording start to the program launch (pinpoint -b)', '30')
    .option('--work-start <regex>', 'label of the event where the work phases begin (case-insensitive)', 'start training')
    .option('--checkpoint <regex>', 'a work phase ending at an event matching this is a checkpoint (case-insensitive)', 'saved')
    .option('--min-phase <seconds>', 'phases shorter than this on average merge into a neighbour', '0.05')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((runs: string[], opts: FitFlags) => fitCommand(runs, opts));
  cli
    .command('place')
    .description('place GPU pods by scoring plugins (PWR, FGD, ...): a scenario JSON pod by pod, or an openb pod list on the online engine (docs/placement.md)')
    .argument('<input>', 'scenario JSON ({nodes, target?, pods}), or an openb pod list CSV (with creation_time, deletion_time)')
    .option('--policy <policy>', 'fgd | pwr | bestfit | dotprod | gpupacking | gpuclustering | random, or a weighted mix such as pwr=200,fgd=800', 'fgd')
    .option('--format <format>', 'json or table', 'table')
    .option('--ties <rule>', 'equal totals: name (smallest node name; default for scenarios), ranked (smallest seeded rank, the peers\' fork; default online), random')
    .option('--seed <n>', 'seed of the random plugin, random ties and the ranking', '0')
    .option('--power-model <model>', 'scenarios: binary (a GPU is busy when anything is allocated on it, PWR\'s model) or proportional', 'binary')
    .option('--nodes <file>', 'pod lists: the openb node list (or a JSON node file)')
    .option('--carbon <trace>', 'pod lists: carbon intensity CSV file or bundled name; the trace\'s time 0 is its start')
    .option('--extend <mode>', 'pod lists: past the end of the carbon trace: none, repeat or hold')
    .option('--start <iso>', 'pod lists: the carbon instant where the pod trace\'s time 0 sits')
    .option('--hold <qos,...>', 'pod lists: hold pods of these QoS classes (e.g. BE) while intensity is in the dirtier half of the next 24 h')
    .option('--max-hold <duration>', 'pod lists: a held pod starts at the latest after this wait (default 24h)')
    .option('--compress <k>', 'pod lists: creation times divided by k (arrivals k times denser, durations kept)')
    .action((input: string, opts: PlaceFlags) => placeCommand(input, opts));
  registerServe(cli);
  registerSurrogate(cli);
  registerEnv(cli);
  registerDr(cli);
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
    process.stderr.write(internalErrorLine(err, debugRequested(argv)));
    return EXIT_INTERNAL;
  }
}

// A closed pipe (`carbon-sim run ... | head`) is not an error; any other write error on stdout (a
// full disk: `> /dev/full`) is one line and exit 2, like bad input. Files are written before stdout.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (stdoutIsManaged()) return; // writeStdout reports it (and takes back the files written)
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`carbon-sim: error: ${stdoutError(err).oneLine()}\n`);
  process.exit(EXIT_BAD_INPUT);
});
// Nothing should escape main(); if something does (a callback of a library), it is one line too.
process.on('uncaughtException', (err) => {
  process.stderr.write(internalErrorLine(err, debugRequested(process.argv)));
  process.exit(EXIT_INTERNAL);
});
process.exitCode = await main(process.argv.slice(2));
