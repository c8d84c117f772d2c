// Slurm back-end: planned run intervals carried out on a live Slurm cluster (see adapter.ts).
export { commandClient, parseSlurmTime, slurmTime, SlurmCommandError, type CommandClientOptions, type SlurmAccounting, type SlurmClient, type SubmitSpec } from './client.js';
export { executedIntervals, itemsOf, runOnSlurm, type SlurmItem, type SlurmJobReport, type SlurmRunOptions, type SlurmRunReport } from './adapter.js';
export { localClusterUnavailable, startLocalCluster, type LocalCluster, type LocalClusterOptions } from './local-cluster.js';
export { jobScript, type ScriptPiece, type ScriptSpec } from './script.js';
