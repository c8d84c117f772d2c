/** Neumaier-compensated running sum: long totals (100k jobs) stay exact to rounding. */
export class Adder {
  private sum = 0;
  private comp = 0;

  add(x: number): this {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.comp += this.sum - t + x;
    else this.comp += x - t + this.sum;
    this.sum = t;
    return this;
  }

  valueOf(): number {
    return this.sum + this.comp;
  }
}
