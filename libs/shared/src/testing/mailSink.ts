import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  /** The `Message-ID` header, angle brackets included. */
  messageId: string | undefined;
  from: string | undefined;
  to: string[];
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  receivedAt: Date;
}

export interface MailSink {
  host: string;
  port: number;
  /** Every message accepted so far, oldest first (none kept when started with `parse: false`). */
  messages: ReceivedMail[];
  /** How many messages the sink has accepted, parsed or not. */
  readonly accepted: number;
  close(): Promise<void>;
}

export interface MailSinkOptions {
  port?: number;
  host?: string;
  onMessage?: (mail: ReceivedMail) => void;
  /**
   * false: read each message to its end and accept it, but neither parse nor keep it. The
   * benchmark runs its stack so: parsing cost its own process about 2 ms of CPU per email, more
   * than the notifier spends sending one, on the two cores it measures, where a user's mail
   * relay runs elsewhere. Default true.
   */
  parse?: boolean;
}

/**
 * A real SMTP server that accepts every message (any credentials, no TLS) and keeps it parsed:
 * what the notifier's tests assert on and what the local stack serves as its inbox.
 */
export async function startMailSink(options: MailSinkOptions = {}): Promise<MailSink> {
  const host = options.host ?? "127.0.0.1";
  const messages: ReceivedMail[] = [];
  let accepted = 0;
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    logger: false,
    onAuth: (_auth, _session, callback) => callback(null, { user: "sink" }),
    onData: (stream, _session, callback) => {
      if (options.parse === false) {
        stream.on("end", () => {
          accepted += 1;
          callback();
        });
        stream.resume();
        return;
      }
      simpleParser(stream).then(
        (parsed) => {
          const to = Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : [];
          const mail: ReceivedMail = {
            messageId: parsed.messageId,
            from: parsed.from?.value[0]?.address,
            to: to.flatMap((a) => a.value.map((v) => v.address ?? "")),
            subject: parsed.subject,
            text: parsed.text,
            html: typeof parsed.html === "string" ? parsed.html : undefined,
            receivedAt: new Date(),
          };
          messages.push(mail);
          accepted += 1;
          options.onMessage?.(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    host,
    port,
    messages,
    get accepted() {
      return accepted;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
