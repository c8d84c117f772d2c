// Jobs column-wise, as the engine reads them. What it needs at every event (arrival, deadline,
// profile) sits in typed arrays and one array of shared profiles; a `Job` object exists only where
// one is asked for (a planner's plan call, a listener, a result). A million long-lived job objects
// are ~200 MB that every full garbage collection marks; columns are not marked at all.
import type { Job } from './jobs.js';
import type { CompiledProfile } from './profile.js';

export class JobTable {
  readonly length: number;

  private constructor(
    /** seconds since the epoch, per job */
    readonly arrivalS: Float64Array,
    /** latest finish (s since the epoch), per job */
    readonly deadlineS: Float64Array,
    /** per job; identical jobs may share one (profiles are read-only) */
    readonly profiles: readonly CompiledProfile[],
    private readonly objects: readonly Job[] | undefined,
    private readonly make: ((j: number) => Job) | undefined,
  ) {
    this.length = arrivalS.length;
  }

  /** A table over built jobs: `job(j)` is the object itself. */
  static of(jobs: readonly Job[]): JobTable {
    const n = jobs.length;
    const arrival = new Float64Array(n);
    const deadline = new Float64Array(n);
    const profiles: CompiledProfile[] = new Array(n);
    for (let j = 0; j < n; j++) {
      const job = jobs[j]!;
      arrival[j] = job.arrival;
      deadline[j] = job.deadline;
      profiles[j] = job.profile;
    }
    return new JobTable(arrival, deadline, profiles, jobs, undefined);
  }

  /**
   * A table from columns: `job(j)` builds job j with `make` each time it is asked (a new object:
   * keep it if identity matters). `make(j)` must agree with the columns.
   */
  static fromColumns(arrivalS: Float64Array, deadlineS: Float64Array, profiles: readonly CompiledProfile[], make: (j: number) => Job): JobTable {
    if (deadlineS.length !== arrivalS.length || profiles.length !== arrivalS.length) throw new Error('JobTable.fromColumns: columns of different lengths');
    return new JobTable(arrivalS, deadlineS, profiles, undefined, make);
  }

  job(j: number): Job {
    return this.objects !== undefined ? this.objects[j]! : this.make!(j);
  }

  /** Every job as an object: the built ones themselves, or all of them built now. */
  toArray(): Job[] {
    if (this.objects !== undefined) return this.objects.slice();
    const out: Job[] = new Array(this.length);
    for (let j = 0; j < this.length; j++) out[j] = this.make!(j);
    return out;
  }
}

/**
 * Job indices by (arrival, index), the order the engine and toJobs keep; undefined when the arrivals
 * are already in it (most traces), so that nothing needs to be built.
 */
export function arrivalOrder(arrivalS: ArrayLike<number>): Int32Array | undefined {
  const n = arrivalS.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = arrivalS[i]! >= arrivalS[i - 1]!;
  if (sorted) return undefined;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => arrivalS[a]! - arrivalS[b]! || a - b);
}

/** The table of a job list, or the table itself. */
export function jobTableOf(jobs: readonly Job[] | JobTable): JobTable {
  return jobs instanceof JobTable ? jobs : JobTable.of(jobs);
}
