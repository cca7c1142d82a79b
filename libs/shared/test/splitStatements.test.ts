import { splitStatements } from "../src";

describe("splitStatements", () => {
  it("splits on semicolons outside quotes and comments, with each statement's line", () => {
    // dialect-gate-ignore: lines of one file, joined below; no line is a statement on its own
    const sql = [
      "-- a comment; with a semicolon",
      "CREATE TABLE a (",
      "  id INT, -- trailing; comment",
      "  note VARCHAR(10) DEFAULT 'x;y'",
      ");",
      "/* block; comment */ INSERT INTO a (id, note) VALUES (1, 'it''s; fine');",
      "# hash comment;",
      "SELECT `odd;name` FROM a",
    ].join("\n");
    expect(splitStatements(sql)).toEqual([
      { sql: "CREATE TABLE a (\n  id INT, \n  note VARCHAR(10) DEFAULT 'x;y'\n)", line: 2 },
      { sql: "INSERT INTO a (id, note) VALUES (1, 'it''s; fine')", line: 6 },
      { sql: "SELECT `odd;name` FROM a", line: 8 },
    ]);
  });

  it("returns nothing for a file of comments", () => {
    expect(splitStatements("-- only\n/* comments */\n")).toEqual([]);
  });
});
