// `carbon-sim place`: GPU placement by scoring plugins. A scenario JSON is placed pod by pod
// (small what-ifs, the acceptance cases); an openb pod list runs on the online engine from
// creation to deletion. Everything is computed before anything is printed.
import { readFileSync } from 'node:fs';
import { TIE_RULES, type TieRule } from '../cluster/placement/placer.js';
import { POWER_MODES, type PowerMode } from '../cluster/placement/power.js';
import type { ScenarioResult } from '../cluster/placement/scenario.js';
import { InputError } from '../errors.js';
import { isOpenbPodList } from '../io/openb.js';
import { decodeTextFile } from '../io/text.js';
import { parseDuration } from '../io/units.js';
import { placeOnline, placeScenarioFile, type PlaceOnlineOutput } from '../app/place.js';

export interface PlaceFlags {
  policy: string;
  format: string;
  ties?: string;
  seed: string;
  powerModel: string;
  nodes?: string;
  carbon?: string;
  extend?: string;
  start?: string;
  hold?: string;
  maxHold?: string;
  compress?: string;
}

function choice<T extends string>(value: string, options: readonly T[], field: string): T {
  if (!(options as readonly string[]).includes(value)) throw new InputError('bad_option', `--${field} "${value}": use ${options.join(', ')}`, { field });
  return value as T;
}

export async function placeCommand(input: string, flags: PlaceFlags): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(input);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot read file (${code})`, { file: input, field: 'input' });
  }
  const head = decodeTextFile(bytes, input, 'a placement scenario (JSON) or an openb pod list (CSV)').slice(0, 4096);
  const format = choice(flags.format, ['json', 'table'] as const, 'format');
  const seed = flags.seed;
  const ties = flags.ties === undefined ? undefined : choice<TieRule>(flags.ties, TIE_RULES, 'ties');
  if (isOpenbPodList(head)) {
    if (flags.nodes === undefined) throw new InputError('bad_option', 'an openb pod list runs on the online engine: give the nodes with --nodes <node list>', { field: 'nodes' });
    if (flags.carbon === undefined) throw new InputError('bad_option', 'an openb pod list runs on the online engine: give --carbon <trace>', { field: 'carbon' });
    if (flags.powerModel !== 'binary') throw new InputError('bad_option', 'the online engine meters the binary device model; --power-model applies to scenarios and bench placement', { field: 'power-model' });
    const compress = flags.compress === undefined ? undefined : Number(flags.compress);
    if (compress !== undefined && !(compress >= 1)) throw new InputError('bad_option', `--compress "${flags.compress}": a factor >= 1`, { field: 'compress' });
    const out = placeOnline({
      nodes: flags.nodes,
      pods: input,
      policy: flags.policy,
      carbon: flags.carbon,
      ...(flags.extend !== undefined && { extend: choice(flags.extend, ['none', 'repeat', 'hold'] as const, 'extend') }),
      ...(flags.start !== undefined && { start: flags.start }),
      ...(flags.hold !== undefined && { holdQos: flags.hold.split(',').map((s) => s.trim()).filter((s) => s !== '') }),
      ...(flags.maxHold !== undefined && { maxHoldS: parseDuration(flags.maxHold, 'max-hold') }),
      ...(compress !== undefined && { compress }),
      ...(ties && { ties }),
      seed,
    });
    process.stdout.write(format === 'json' ? JSON.stringify({ placement: out.placement, summary: out.summary }) + '\n' : onlineTable(input, out));
    return;
  }
  for (const flag of ['nodes', 'carbon', 'extend', 'start', 'hold', 'maxHold', 'compress'] as const) {
    if (flags[flag] !== undefined) {
      const name = flag === 'maxHold' ? 'max-hold' : flag;
      throw new InputError('bad_option', `--${name} applies to an openb pod list run on the online engine, not to a scenario`, { field: name });
    }
  }
  const result = placeScenarioFile(input, {
    policy: flags.policy,
    ...(ties && { ties }),
    seed,
    powerMode: choice<PowerMode>(flags.powerModel, POWER_MODES, 'power-model'),
  });
  process.stdout.write(format === 'json' ? JSON.stringify({ steps: result.steps, summary: result.summary }) + '\n' : scenarioTable(input, result));
}

function fmt(v: number, digits = 1): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

function scenarioTable(input: string, r: ScenarioResult): string {
  const lines = [`carbon-sim place: ${input} | policy ${r.policy} | ties ${r.ties}`, ''];
  for (const s of r.steps) {
    const where = s.node === null ? (s.never_fits ? 'no node could ever hold it' : 'no room now') : `${s.node}${s.gpus.length ? ` GPU ${s.gpus.join(',')}` : ''}`;
    const scores = Object.entries(s.scores)
      .map(([n, v]) => `${n}=${fmt(v)}`)
      .join(' ');
    lines.push(`${s.pod} -> ${where}${scores ? `   (${scores})` : ''}`);
  }
  const m = r.summary;
  lines.push(
    '',
    `placed ${m.placed}/${m.pods} (never fit: ${m.never_fit}) | GPU placed ${m.gpu_placed_milli}/${m.gpu_arrived_milli} (GRAR ${m.grar.toFixed(4)}) | power ${fmt(m.power_w)} W | fragmentation ${m.frag_milli.toFixed(1)} (ratio ${m.frag_ratio.toFixed(4)})`,
  );
  return lines.join('\n') + '\n';
}

function onlineTable(input: string, out: PlaceOnlineOutput): string {
  const p = out.placement;
  const c = out.summary.cluster!;
  return [
    `carbon-sim place: ${input} | policy ${p.policy} | online`,
    `pods ${p.pods}: placed ${p.placed}, dropped ${p.dropped_never_fit} (fit no node), ${p.dropped_zero_duration} (zero duration)`,
    `cluster energy ${c.energy_kwh.toFixed(1)} kWh (idle ${c.idle_energy_kwh.toFixed(1)}), carbon ${(c.carbon_g / 1000).toFixed(1)} kg over ${(c.makespan_s / 3600).toFixed(1)} h`,
    `above the empty cluster (${fmt(p.empty_power_w)} W): ${p.busy_energy_kwh.toFixed(1)} kWh, ${(p.busy_carbon_g / 1000).toFixed(1)} kg`,
    `queue wait mean ${c.mean_queue_wait_s.toFixed(0)} s, p95 ${c.p95_queue_wait_s.toFixed(0)} s; held passes ${p.held_passes}`,
    '',
  ].join('\n');
}
