// DVFS + Job Pausing Fair. A set S of at least two jobs, each of which may stand still at least
// 1/|S| of the event, is paused in turn: the event is cut into |S| equal slots and member i stands
// still in slot i (members in order of larger uncapped draw, then name). In every piece the jobs
// that run share the rest of the shedding by DVFS Fair (jobs that cannot be capped shed whole
// nodes, as in DVFS Fair); a member that runs (it stood or will stand
// still for 1/|S| of the event) may only be capped down to (1 - p) / (1 - 1/|S|), p its pausable
// share, so its event average still meets its minimum.
// The set chosen is the one least over the budget (integral of the excess), then with the least
// DVFS shedding (integral), then the smaller set, then by member names. The comparison uses the
// shedding before caps are rounded to whole watts. With no eligible set: DVFS Fair alone.
import { planDvfsFairEvent } from './dvfs-fair.js';
import type { DrJob, EventInput, EventPiece, Participant } from './shared.js';
import { cutSteps, fairSplit, fairTotals, fullAllocation, headroomW, pausableShare, prepareFair, type FairPrep } from './shared.js';

interface Candidate {
  members: DrJob[];
  over: number;
  shed: number;
  key: string;
}

/** Relative tie tolerance of the integrals (float sums over pieces). */
const TIE = 1e-9;

function better(a: Candidate, b: Candidate): boolean {
  const cmp = (x: number, y: number): number => (Math.abs(x - y) <= TIE * Math.max(1, Math.abs(x), Math.abs(y)) ? 0 : x < y ? -1 : 1);
  return (cmp(a.over, b.over) || cmp(a.shed, b.shed) || a.members.length - b.members.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) < 0;
}

/** Members' order in the slots: larger uncapped draw first, then name. */
const byPower = (a: DrJob, b: DrJob): number => b.maxPowerW - a.maxPowerW || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The sets searched: all of them up to `limit` eligible jobs, else the k largest eligible for each k. */
export function candidateSets(eligible: readonly DrJob[], share: (j: DrJob) => { num: number; den: number }, limit: number): DrJob[][] {
  const ok = (set: readonly DrJob[]): boolean => set.length >= 2 && set.every((j) => share(j).num * set.length >= share(j).den);
  const sets: DrJob[][] = [];
  if (eligible.length <= limit) {
    const n = eligible.length;
    for (let mask = 1; mask < 1 << n; mask++) {
      const set: DrJob[] = [];
      for (let i = 0; i < n; i++) if (mask & (1 << i)) set.push(eligible[i]!);
      if (ok(set)) sets.push(set.sort(byPower));
    }
    return sets;
  }
  for (let k = 2; k <= eligible.length; k++) {
    const fit = eligible.filter((j) => share(j).num * k >= share(j).den).sort(byPower);
    if (fit.length >= k) sets.push(fit.slice(0, k));
  }
  return sets;
}

export function planDvfsPausingFairEvent(input: EventInput): EventPiece[] {
  const { jobs, steps, flex, options, event } = input;
  const share = (j: DrJob) => ({ num: flex[j.index]!.pauseNum, den: flex[j.index]!.pauseDen });
  const eligible = jobs.filter((j) => pausableShare(flex[j.index]!) > 0);
  const sets = candidateSets(eligible, share, options.exhaustiveLimit);
  if (sets.length === 0) return planDvfsFairEvent(input);

  const lengthS = event.endS - event.startS;
  const maxW = jobs.map((j) => j.maxPowerW);
  const roomAt = (j: DrJob, rMin: number): number => headroomW({ job: j, gpus: j.gpus, rMin }, options.gpuStep);
  const room = jobs.map((j) => roomAt(j, flex[j.index]!.rMin));
  const memberRMin = (j: DrJob, k: number): number => (flex[j.index]!.rMin * k) / (k - 1);
  const memberRoom = new Map<string, number>();
  const roomAsMember = (j: DrJob, k: number): number => {
    const key = `${j.index}/${k}`;
    let r = memberRoom.get(key);
    if (r === undefined) memberRoom.set(key, (r = roomAt(j, memberRMin(j, k))));
    return r;
  };
  let totalMax = 0;
  let totalRoom = 0;
  for (const j of jobs) {
    totalMax += maxW[j.index]!;
    totalRoom += room[j.index]!;
  }

  const slotCuts = (k: number): number[] => Array.from({ length: k - 1 }, (_, i) => event.startS + ((i + 1) * lengthS) / k);

  let best: Candidate | undefined;
  for (const members of sets) {
    const k = members.length;
    let roomMembers = 0;
    let roomMembersNormal = 0;
    for (const m of members) {
      roomMembers += roomAsMember(m, k);
      roomMembersNormal += room[m.index]!;
    }
    const cuts = slotCuts(k);
    let over = 0;
    let shed = 0;
    for (const piece of cutSteps(steps, event.firstStep, cuts)) {
      const slot = piece.slot;
      const paused = members[slot]!;
      const runMax = totalMax - maxW[paused.index]!;
      const runRoom = totalRoom - roomMembersNormal + roomMembers - roomAsMember(paused, k);
      const t = fairTotals(runMax, runRoom, input.steps[piece.step - event.firstStep]!.budgetW);
      const d = piece.t1 - piece.t0;
      over += t.shortfallW * d;
      shed += t.shedW * d;
    }
    const cand: Candidate = { members, over, shed, key: members.map((m) => m.name).sort().join('\n') };
    if (!best || better(cand, best)) best = cand;
  }

  const members = best!.members;
  const k = members.length;
  const isMember = new Set(members.map((m) => m.index));
  const cuts = slotCuts(k);
  const out: EventPiece[] = [];
  const preps: FairPrep[] = [];
  for (const piece of cutSteps(steps, event.firstStep, cuts)) {
    const slot = piece.slot;
    const paused = members[slot]!;
    if (!preps[slot]) {
      const parts: Participant[] = [];
      for (const j of jobs) if (j.index !== paused.index) parts.push({ job: j, gpus: j.gpus, rMin: isMember.has(j.index) ? memberRMin(j, k) : flex[j.index]!.rMin });
      preps[slot] = prepareFair(parts, options.gpuStep);
    }
    const { gpus, caps } = fullAllocation(jobs);
    fairSplit(preps[slot]!, input.steps[piece.step - event.firstStep]!.budgetW, options.fairMode, caps, gpus);
    gpus[paused.index] = 0;
    out.push({ t0: piece.t0, t1: piece.t1, step: piece.step, gpus, caps });
  }
  return out;
}
