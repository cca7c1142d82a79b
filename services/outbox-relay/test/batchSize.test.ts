import { adaptiveBatchSize } from "../src/application/batchSize";

describe("the relay loop's batch size", () => {
  it("doubles after each full pass up to the maximum, and drops back to the base after a partial one", () => {
    const size = adaptiveBatchSize(50, 300);
    const seen = [size.current];
    for (let i = 0; i < 4; i++) {
      size.after(size.current);
      seen.push(size.current);
    }
    expect(seen).toEqual([50, 100, 200, 300, 300]);
    size.after(299);
    expect(size.current).toBe(50);
    size.after(0);
    expect(size.current).toBe(50);
  });

  it("reports a backlog after a full pass only", () => {
    const size = adaptiveBatchSize(50, 300);
    expect(size.backlog).toBe(false);
    size.after(50);
    expect(size.backlog).toBe(true);
    size.after(100);
    expect(size.backlog).toBe(true);
    size.after(12);
    expect(size.backlog).toBe(false);
  });

  it("never goes below the base when the maximum is set lower", () => {
    const size = adaptiveBatchSize(50, 10);
    size.after(50);
    expect(size.current).toBe(50);
  });
});
