import net from "node:net";
import { startMailSink, type MailSink } from "../src/testing";

/** One SMTP session, spoken line by line: each command's reply code, in order. */
async function smtpSession(sink: MailSink, messages: { subject: string; id: string }[]) {
  const socket = net.connect(sink.port, sink.host);
  socket.setEncoding("utf8");
  let buffered = "";
  const waiting: ((reply: string) => void)[] = [];
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    // A reply is complete at a line "NNN text" (continuation lines read "NNN-text").
    for (
      let end = buffered.search(/^\d{3} .*\r\n/m);
      end >= 0;
      end = buffered.search(/^\d{3} .*\r\n/m)
    ) {
      const stop = buffered.indexOf("\r\n", end) + 2;
      const reply = buffered.slice(0, stop);
      buffered = buffered.slice(stop);
      waiting.shift()?.(reply);
    }
  });
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const send = async (line: string) => {
    const reply = next();
    socket.write(`${line}\r\n`);
    return (await reply).slice(0, 3);
  };
  const codes = [(await next()).slice(0, 3), await send("EHLO test.local")];
  for (const m of messages) {
    codes.push(await send("MAIL FROM:<shop@example.com>"));
    codes.push(await send("RCPT TO:<buyer@example.com>"));
    codes.push(await send("DATA"));
    codes.push(
      await send(
        [
          "From: shop@example.com",
          "To: buyer@example.com",
          `Subject: ${m.subject}`,
          `Message-ID: <${m.id}@example.com>`,
          "",
          "Thank you for your order.",
          ".",
        ].join("\r\n"),
      ),
    );
  }
  codes.push(await send("QUIT"));
  socket.end();
  return codes;
}

describe("mail sink", () => {
  let sink: MailSink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  test("keeps every accepted message parsed", async () => {
    sink = await startMailSink();
    const codes = await smtpSession(sink, [{ subject: "Your order a1 is placed", id: "m1" }]);
    expect(codes).toEqual(["220", "250", "250", "250", "354", "250", "221"]);
    expect(sink.accepted).toBe(1);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({
      subject: "Your order a1 is placed",
      messageId: "<m1@example.com>",
      from: "shop@example.com",
      to: ["buyer@example.com"],
    });
  });

  test("with parse: false, accepts every message to its end and keeps none", async () => {
    sink = await startMailSink({ parse: false });
    const codes = await smtpSession(sink, [
      { subject: "first", id: "m1" },
      { subject: "second", id: "m2" },
    ]);
    // Both messages answered 250 after their data: the sender sees a delivered email.
    expect(codes).toEqual([
      "220",
      "250",
      ...["250", "250", "354", "250"],
      ...["250", "250", "354", "250"],
      "221",
    ]);
    expect(sink.accepted).toBe(2);
    expect(sink.messages).toEqual([]);
  });
});
