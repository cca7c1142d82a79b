import { jitteredBackoffMs } from "../src";

describe("jittered backoff", () => {
  it("stays within a ceiling that doubles per attempt up to the maximum", () => {
    expect(jitteredBackoffMs(1, 5, 100, () => 0.999)).toBe(4);
    expect(jitteredBackoffMs(3, 5, 100, () => 0.999)).toBe(19);
    expect(jitteredBackoffMs(10, 5, 100, () => 0.999)).toBe(99);
    expect(jitteredBackoffMs(10, 5, 100, () => 0)).toBe(0);
  });
});
