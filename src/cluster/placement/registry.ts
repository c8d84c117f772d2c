// Placement policies by name: one plugin (`fgd`) or a weighted mix (`pwr=200,fgd=800`).
import { InputError } from '../../errors.js';
import { bestfitPlugin } from './bestfit.js';
import { dotprodPlugin } from './dotprod.js';
import { fgdPlugin } from './fgd.js';
import { gpuclusteringPlugin } from './gpuclustering.js';
import { gpupackingPlugin } from './gpupacking.js';
import type { ScorePlugin } from './plugin.js';
import { pwrPlugin } from './pwr.js';
import { randomPlugin } from './random.js';

/**
 * The plugins, in the peers' order (scripts/generate_config_and_run.py): when two plugins of a mix
 * have the same weight, the earlier one chooses the GPUs, as there.
 */
export const PLUGIN_NAMES = ['random', 'dotprod', 'gpuclustering', 'gpupacking', 'bestfit', 'fgd', 'pwr'] as const;
export type PluginName = (typeof PLUGIN_NAMES)[number];

export const PLUGIN_DESCRIPTIONS: Record<PluginName, string> = {
  random: 'a feasible node drawn uniformly; a share on a GPU drawn uniformly',
  dotprod: 'largest alignment of free (CPU, GPU) and request (Tetris dot product), tightest GPU',
  gpuclustering: 'nodes running pods of the same GPU kind first, then fuller nodes; tightest GPU',
  gpupacking: 'used GPUs first, then fully free GPUs on used nodes, then untouched nodes; tightest GPU',
  bestfit: 'least CPU and GPU left after the pod (min-max normalised); tightest GPU',
  fgd: 'largest decrease of the node\'s fragmentation w.r.t. the target workload (sigmoid); best-scoring GPU',
  pwr: 'smallest increase of the node\'s power draw (min-max normalised); best-scoring GPU',
};

const ALIASES: Record<string, PluginName> = {
  random: 'random',
  randomscore: 'random',
  dotprod: 'dotprod',
  dotproduct: 'dotprod',
  dotproductscore: 'dotprod',
  gpuclustering: 'gpuclustering',
  gpuclusteringscore: 'gpuclustering',
  gpupacking: 'gpupacking',
  gpupackingscore: 'gpupacking',
  bestfit: 'bestfit',
  bestfitscore: 'bestfit',
  fgd: 'fgd',
  fgdscore: 'fgd',
  pwr: 'pwr',
  pwrscore: 'pwr',
};

export function createPlugin(name: PluginName): ScorePlugin {
  switch (name) {
    case 'random':
      return randomPlugin();
    case 'dotprod':
      return dotprodPlugin;
    case 'gpuclustering':
      return gpuclusteringPlugin;
    case 'gpupacking':
      return gpupackingPlugin;
    case 'bestfit':
      return bestfitPlugin;
    case 'fgd':
      return fgdPlugin;
    case 'pwr':
      return pwrPlugin;
  }
}

export interface PlacementTerm {
  plugin: PluginName;
  /** a positive whole number, as Kubernetes score weights */
  weight: number;
}

export interface PlacementPolicy {
  /** canonical text: `fgd`, `pwr=200,fgd=800` */
  name: string;
  terms: readonly PlacementTerm[];
}

/** The weight a lone plugin gets (the peers' scripts pass 1000). */
export const SINGLE_WEIGHT = 1000;

/** `fgd`, `PWR`, `pwr=200,fgd=800` (weights: whole numbers >= 1; each plugin at most once). */
export function parsePlacementPolicy(text: string, field = 'policy'): PlacementPolicy {
  const items = text.split(',').map((s) => s.trim());
  const known = PLUGIN_NAMES.join(', ');
  const terms: PlacementTerm[] = [];
  for (const item of items) {
    const eq = item.indexOf('=');
    const rawName = (eq < 0 ? item : item.slice(0, eq)).trim();
    const plugin = ALIASES[rawName.toLowerCase()];
    if (!plugin) throw new InputError('unknown_plugin', `unknown placement plugin "${rawName}" (known: ${known}; mix them as pwr=200,fgd=800)`, { field });
    let weight = SINGLE_WEIGHT;
    if (eq >= 0) {
      const w = item.slice(eq + 1).trim();
      if (!/^\d+$/.test(w) || Number(w) < 1 || !Number.isSafeInteger(Number(w))) {
        throw new InputError('bad_weight', `weight "${w}" of ${plugin} must be a whole number >= 1`, { field });
      }
      weight = Number(w);
    } else if (items.length > 1) {
      throw new InputError('bad_weight', `"${item}" in a mix needs a weight: ${plugin}=<weight>`, { field });
    }
    if (terms.some((t) => t.plugin === plugin)) throw new InputError('duplicate_plugin', `${plugin} is given twice`, { field });
    terms.push({ plugin, weight });
  }
  const name = terms.length === 1 ? terms[0]!.plugin : terms.map((t) => `${t.plugin}=${t.weight}`).join(',');
  return { name, terms };
}

/** The plugin whose rule picks the GPUs: the highest weight; equal weights: the earlier in PLUGIN_NAMES. */
export function gpuRulePlugin(policy: PlacementPolicy): PluginName {
  let best = policy.terms[0]!;
  for (const t of policy.terms) {
    if (t.weight > best.weight || (t.weight === best.weight && PLUGIN_NAMES.indexOf(t.plugin) < PLUGIN_NAMES.indexOf(best.plugin))) best = t;
  }
  return best.plugin;
}
