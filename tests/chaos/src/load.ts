// The users of the chaos run: customers placing orders (cold products and one hot one), sending
// the same Idempotency-Key twice at once and with another body, retrying after 409/503/timeouts,
// cancelling; an admin completing orders and topping up stock. What each saw is kept for the
// ledger.
import { randomUUID } from "node:crypto";
import { Journal, retryDelayMs, sleep, transient, type Answer } from "./client";
import type { Random } from "./random";

export interface Product {
  id: string;
  initial: number;
  hot: boolean;
}

export interface Placement {
  userId: string;
  key: string;
  body: { items: { productId: string; quantity: number }[] };
  /** Every final answer (201 and the business refusals) the client got for this key. */
  finals: { status: number; text: string; otherBody?: boolean }[];
  /** The order the client was told about (a 201). */
  orderId?: string;
}

export interface TopUp {
  productId: string;
  delta: number;
  /** applied: 200 seen; refused: a 4xx; unknown: no answer that says. */
  outcome: "applied" | "refused" | "unknown";
}

export interface User {
  id: string;
  email: string;
  password: string;
  token: string;
  orders: string[];
}

const FINAL = new Set([201, 402, 409, 422]);

export class Load {
  readonly placements: Placement[] = [];
  readonly topUps: TopUp[] = [];
  readonly createdOrders: { orderId: string; at: number }[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly journal: Journal,
    private readonly users: User[],
    private readonly products: Product[],
    private readonly admin: () => Promise<string>,
    private readonly random: Random,
  ) {}

  start(): void {
    for (const user of this.users) this.loops.push(this.customer(user));
    this.loops.push(this.administrator());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async login(user: User): Promise<void> {
    for (let attempt = 0; !this.stopped || attempt === 0; attempt++) {
      const answer = await this.journal.send("login", "POST", "/api/v1/auth/login", {
        body: { email: user.email, password: user.password },
      });
      if (answer.outcome === 200) {
        user.token = answer.body.accessToken;
        return;
      }
      await sleep(retryDelayMs(answer, attempt));
      if (attempt > 20) return;
    }
  }

  private items(): Placement["body"]["items"] {
    const hot = this.products.find((p) => p.hot)!;
    const cold = this.products.filter((p) => !p.hot);
    if (this.random.chance(0.3)) return [{ productId: hot.id, quantity: this.random.int(1, 2) }];
    const first = this.random.pick(cold);
    const lines = [{ productId: first.id, quantity: this.random.int(1, 3) }];
    const second = this.random.pick(cold);
    if (this.random.chance(0.3) && second.id !== first.id)
      lines.push({ productId: second.id, quantity: 1 });
    return lines;
  }

  /** One placement request, retried on transient answers until a final one (or giving up). */
  async place(user: User, placement: Placement, op = "place"): Promise<Answer | undefined> {
    for (let attempt = 0; attempt < 12; attempt++) {
      const answer = await this.journal.send(op, "POST", "/api/v1/orders", {
        token: user.token,
        headers: { "Idempotency-Key": placement.key },
        body: placement.body,
      });
      if (answer.outcome === 401) {
        await this.login(user);
        continue;
      }
      if (typeof answer.outcome === "number" && FINAL.has(answer.outcome) && !transient(answer)) {
        placement.finals.push({ status: answer.outcome, text: answer.text ?? "" });
        if (answer.outcome === 201 && !placement.orderId) {
          placement.orderId = answer.body.id;
          user.orders.push(answer.body.id);
          this.createdOrders.push({ orderId: answer.body.id, at: Date.now() });
        }
        return answer;
      }
      if (this.stopped && attempt > 3) return undefined;
      await sleep(retryDelayMs(answer, attempt));
    }
    return undefined;
  }

  private async customer(user: User): Promise<void> {
    while (!this.stopped) {
      const roll = this.random.next();
      if (roll < 0.6) await this.placeNew(user);
      else if (roll < 0.7) await this.placeTwiceAtOnce(user);
      else if (roll < 0.77) await this.reuseKeyWithAnotherBody(user);
      else if (roll < 0.9) await this.cancel(user);
      else await this.journal.send("read", "GET", "/api/v1/orders?limit=5", { token: user.token });
      await sleep(this.random.int(150, 600));
    }
  }

  private newPlacement(user: User): Placement {
    const placement = {
      userId: user.id,
      key: randomUUID(),
      body: { items: this.items() },
      finals: [],
    };
    this.placements.push(placement);
    return placement;
  }

  private async placeNew(user: User): Promise<void> {
    await this.place(user, this.newPlacement(user));
  }

  private async placeTwiceAtOnce(user: User): Promise<void> {
    const placement = this.newPlacement(user);
    await Promise.all([
      this.place(user, placement),
      this.place(user, placement, "place-duplicate"),
    ]);
  }

  /** The same key with another body must be refused 422, never a second order. */
  private async reuseKeyWithAnotherBody(user: User): Promise<void> {
    const earlier = this.placements.filter((p) => p.userId === user.id && p.orderId);
    if (!earlier.length) return this.placeNew(user);
    const first = this.random.pick(earlier);
    const other: Placement = {
      userId: user.id,
      key: first.key,
      body: { items: [{ ...first.body.items[0]!, quantity: first.body.items[0]!.quantity + 1 }] },
      finals: [],
    };
    await this.place(user, other, "place-other-body");
    // Its answers are judged with the first placement of that key.
    first.finals.push(...other.finals.map((f) => ({ ...f, otherBody: true })));
  }

  private async cancel(user: User): Promise<void> {
    if (!user.orders.length) return;
    const orderId = this.random.pick(user.orders);
    for (let attempt = 0; attempt < 8 && !this.stopped; attempt++) {
      const answer = await this.journal.send("cancel", "POST", `/api/v1/orders/${orderId}/cancel`, {
        token: user.token,
      });
      if (answer.outcome === 401) await this.login(user);
      else if (!transient(answer)) return;
      await sleep(retryDelayMs(answer, attempt));
    }
  }

  private async administrator(): Promise<void> {
    while (!this.stopped) {
      const token = await this.admin();
      if (this.random.chance(0.35)) await this.topUp(token);
      else await this.complete(token);
      await sleep(this.random.int(300, 900));
    }
  }

  private async complete(token: string): Promise<void> {
    if (!this.createdOrders.length) return;
    const { orderId } = this.random.pick(this.createdOrders);
    for (let attempt = 0; attempt < 8 && !this.stopped; attempt++) {
      const answer = await this.journal.send(
        "complete",
        "POST",
        `/api/v1/orders/${orderId}/complete`,
        {
          token,
        },
      );
      if (!transient(answer)) return;
      await sleep(retryDelayMs(answer, attempt));
    }
  }

  /** Reads the stock, then sets it higher with its version: applied once or refused. */
  private async topUp(token: string): Promise<void> {
    const product = this.random.chance(0.6)
      ? this.products.find((p) => p.hot)!
      : this.random.pick(this.products);
    const read = await this.journal.send("stock-read", "GET", `/api/v1/products/${product.id}`, {});
    if (read.outcome !== 200) return;
    const delta = this.random.int(5, 40);
    const answer = await this.journal.send(
      "top-up",
      "PUT",
      `/api/v1/products/${product.id}/stock`,
      {
        token,
        body: {
          quantity: read.body.availableQuantity + delta,
          expectedVersion: read.body.stockVersion,
        },
      },
    );
    const outcome =
      answer.outcome === 200
        ? "applied"
        : typeof answer.outcome === "number" && answer.outcome < 500
          ? "refused"
          : "unknown";
    // A refusal for a stale version is an answer: nothing changed. Anything else is unknown
    // until the ledger settles it.
    this.topUps.push({ productId: product.id, delta, outcome });
  }
}
