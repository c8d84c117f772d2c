// A one-node Slurm cluster on 127.0.0.1 for tests and demonstrations: its own munged (own key and
// socket), slurmctld and slurmd, all in one folder, proctrack/linuxproc, no cgroups, no database
// (finished jobs are read with sacct --completion from the jobcomp/filetxt log). Debian packages
// slurm-wlm and munge. The daemons run in the foreground as children of this process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';

export interface LocalCluster {
  dir: string;
  /** SLURM_CONF for every client command */
  conf: string;
  nodeName: string;
  stop(): Promise<void>;
}

export interface LocalClusterOptions {
  /** an empty folder for keys, state, logs and spool */
  dir: string;
  /** CPUs the node offers (config_overrides: more than the machine has is fine for sleeping jobs) */
  cpus?: number;
  /** seconds to wait for each daemon (default 30) */
  timeoutS?: number;
}

const PROGRAMS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scontrol', 'sinfo', 'sacct'] as const;

/** A program's path: on PATH, or in the sbin folders (daemons live there; a user's PATH may lack them). */
function programPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  return dirs.map((d) => join(d, name)).find((p) => isExecutable(p));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why a local cluster cannot be started here (a missing program), or false. */
export function localClusterUnavailable(): string | false {
  const missing = PROGRAMS.filter((p) => programPath(p) === undefined);
  return missing.length > 0 ? `${missing.join(', ')} not found (apt-get install slurm-wlm munge)` : false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tail(path: string, lines = 15): string {
  if (!existsSync(path)) return `(${path} not written)`;
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const why = localClusterUnavailable();
  if (why) throw new Error(`cannot start a local Slurm cluster: ${why}`);
  const dir = opts.dir;
  const timeoutMs = (opts.timeoutS ?? 30) * 1000;
  const mungeDir = join(dir, 'munge');
  for (const d of [dir, mungeDir, join(dir, 'state'), join(dir, 'spool')]) mkdirSync(d, { recursive: true });
  chmodSync(mungeDir, 0o700);
  const key = join(mungeDir, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = join(mungeDir, 'munge.socket');
  const children: ChildProcess[] = [];
  const exits = new Map<ChildProcess, string>();
  const daemon = (cmd: string, args: string[], log: string): ChildProcess => {
    const child = spawn(programPath(cmd) ?? cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SLURM_CONF: conf } });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code, signal) => exits.set(child, `${cmd} exited (code ${code}, signal ${signal}): ${err.trim() || tail(log)}`));
    children.push(child);
    return child;
  };
  const stop = async (): Promise<void> => {
    for (const child of [...children].reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const gone = await Promise.race([new Promise((r) => child.once('exit', r)).then(() => true), sleep(10_000).then(() => false)]);
        if (!gone) child.kill('SIGKILL');
      }
    }
  };
  const until = async (what: string, ok: () => boolean, child: ChildProcess, log: string): Promise<void> => {
    const t0 = Date.now();
    while (!ok()) {
      const exit = exits.get(child);
      if (exit) throw new Error(`${what}: ${exit}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s; log:\n${tail(log)}`);
      await sleep(100);
    }
  };

  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const user = userInfo().username;
  const nodeName = 'cs1';
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=carbonsim',
      'SlurmctldHost=localhost(127.0.0.1)',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      `SlurmUser=${user}`,
      `SlurmdUser=${user}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/filetxt',
      `JobCompLoc=${join(dir, 'jobcomp.txt')}`,
      'SchedulerType=sched/builtin',
      // schedule every second: --begin times are whole seconds, starts follow within one more
      'SchedulerParameters=sched_interval=1',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'ReturnToService=2',
      'MpiDefault=none',
      'SwitchType=switch/none',
      'SlurmdParameters=config_overrides',
      'MinJobAge=3600',
      `NodeName=${nodeName} NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=${opts.cpus ?? 16} RealMemory=1000 State=UNKNOWN`,
      `PartitionName=debug Nodes=${nodeName} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );

  try {
    const mungeLog = join(mungeDir, 'munged.log');
    // --force: the socket may sit below a private (0700) folder, such as a test's temporary one
    const munged = daemon('munged', ['-F', '--force', `--socket=${socket}`, `--key-file=${key}`, `--log-file=${mungeLog}`, `--pid-file=${join(mungeDir, 'munged.pid')}`, `--seed-file=${join(mungeDir, 'munged.seed')}`], mungeLog);
    await until('munged', () => existsSync(socket), munged, mungeLog);

    const ctldLog = join(dir, 'slurmctld.log');
    const ctld = daemon('slurmctld', ['-D', '-c', '-f', conf], ctldLog);
    const ping = (): boolean => spawnSync(programPath('scontrol') ?? 'scontrol', ['ping'], { encoding: 'utf8', env: { ...process.env, SLURM_CONF: conf } }).stdout.includes('is UP');
    await until('slurmctld', ping, ctld, ctldLog);

    const dLog = join(dir, 'slurmd.log');
    const slurmd = daemon('slurmd', ['-D', '-f', conf, '-N', nodeName], dLog);
    const idle = (): boolean => /^(idle|mixed|allocated)/.test(spawnSync(programPath('sinfo') ?? 'sinfo', ['-h', '-n', nodeName, '-o', '%T'], { encoding: 'utf8', env: { ...process.env, SLURM_CONF: conf } }).stdout.trim());
    await until('slurmd', idle, slurmd, dLog);
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, conf, nodeName, stop };
}
