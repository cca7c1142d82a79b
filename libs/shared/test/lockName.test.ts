import { MAX_LOCK_NAME_LENGTH, serverLockName } from "../src";

describe("serverLockName", () => {
  it("keeps a name MySQL accepts as it is", () => {
    expect(serverLockName("archiver:orders")).toBe("archiver:orders");
    expect(serverLockName("x".repeat(64))).toBe("x".repeat(64));
  });

  it("hashes a name over 64 characters into one that fits, keeping a readable prefix", () => {
    const name = `migrations:${"d".repeat(64)}`;
    const lock = serverLockName(name);
    expect(lock.length).toBeLessThanOrEqual(MAX_LOCK_NAME_LENGTH);
    expect(lock.startsWith("migrations:ddd")).toBe(true);
    expect(serverLockName(name)).toBe(lock);
  });

  it("gives two long names that share a prefix two different locks", () => {
    const prefix = `archiver:${"a".repeat(70)}`;
    expect(serverLockName(`${prefix}1`)).not.toBe(serverLockName(`${prefix}2`));
  });
});
