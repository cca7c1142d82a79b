import type { HashingSlots } from "../application/ports";

/**
 * In-process slots for password hashing: bcrypt here runs on this process's CPU, so the bound is
 * per replica. No queue: a caller that finds every slot taken is refused at once.
 */
export class InProcessHashingSlots implements HashingSlots {
  private inFlight = 0;

  constructor(private readonly capacity: number) {}

  tryAcquire(): boolean {
    if (this.inFlight >= this.capacity) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}
