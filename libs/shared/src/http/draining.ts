import type { Express } from "express";

/**
 * Apps whose server has started draining. Internal to the http module (not re-exported): the
 * server marks its app, the app's readiness route reads the mark.
 */
const drainingApps = new WeakSet<Express>();

/** From now on the app's /health/ready answers 503, so the balancer stops sending. */
export function markDraining(app: Express): void {
  drainingApps.add(app);
}

export function isDraining(app: Express): boolean {
  return drainingApps.has(app);
}
