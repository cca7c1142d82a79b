import { cursorFromQuery, decodeCursor, encodeCursor, ProblemError } from "../src";

describe("keyset cursor", () => {
  const position = {
    createdAt: new Date("2026-01-02T03:04:05.678Z"),
    id: "0b9f7a3e-6c1d-4a2b-8e5f-1a2b3c4d5e6f",
  };

  it("round-trips a position through an opaque string", () => {
    const text = encodeCursor(position);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(position);
  });

  it.each([
    ["not base64 JSON", "%%%"],
    ["JSON that is not a position", Buffer.from('"nope"').toString("base64url")],
    [
      "a bad date",
      Buffer.from(JSON.stringify({ c: "not a date", i: position.id })).toString("base64url"),
    ],
    [
      "an id that is not a uuid",
      Buffer.from(JSON.stringify({ c: position.createdAt.toISOString(), i: "x" })).toString(
        "base64url",
      ),
    ],
  ])("refuses %s", (_what, text) => {
    expect(decodeCursor(text)).toBeNull();
  });

  it("reads the query parameter: absent is the first page, a foreign one is 400 VALIDATION_FAILED", () => {
    expect(cursorFromQuery(undefined)).toBeNull();
    expect(cursorFromQuery(encodeCursor(position))).toEqual(position);
    let thrown: unknown;
    try {
      cursorFromQuery("garbage");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemError);
    expect((thrown as ProblemError).problem).toMatchObject({
      status: 400,
      code: "VALIDATION_FAILED",
      errors: [{ path: "cursor", message: "not a cursor this API issued" }],
    });
  });
});
