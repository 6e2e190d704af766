/** A clock a test moves by hand. Starts at 1000: lru-cache treats a start time of 0 as "no TTL". */
export class ManualClock {
  t = 1000
  now = (): number => this.t
  advance(ms: number): void {
    this.t += ms
  }
}
