/**
 * Prometheus' kahanSumInc (Neumaier's variant): compensated summation so sum/avg match Prometheus
 * to the last bit, with infinities passing through instead of turning into NaN.
 */
export class KahanSum {
  sum = 0;
  #c = 0;

  add(inc: number): void {
    const t = this.sum + inc;
    if (!Number.isFinite(t)) this.#c = 0;
    else if (Math.abs(this.sum) >= Math.abs(inc)) this.#c += this.sum - t + inc;
    else this.#c += inc - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.#c;
  }
}
