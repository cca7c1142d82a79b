// The local stack's mail server: a real SMTP server (the shared test mail sink) that keeps every
// message, appends it to a file and shows it on a small inbox page, so a newcomer sees the email
// of the order they just placed. Nothing is relayed anywhere.
import { appendFileSync, mkdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startMailSink, type ReceivedMail } from "@app/shared/testing";
import escapeHtml from "escape-html";

export interface MailInbox {
  smtpPort: number;
  /** The inbox page (and `/messages.json`). */
  url: string;
  /** Where each message is appended as one JSON line, when a file was given. */
  file?: string;
  messages: ReceivedMail[];
  /** Messages accepted so far (also those not kept: `parse: false`). */
  readonly accepted: number;
  close(): Promise<void>;
}

const escape = (s: string | undefined) => escapeHtml(s ?? "");

function page(messages: ReceivedMail[]): string {
  const items = [...messages]
    .reverse()
    .map(
      (m) => `<article><h2>${escape(m.subject)}</h2>
<p>To ${escape(m.to.join(", "))} · from ${escape(m.from)} · ${m.receivedAt.toISOString()} · ${escape(m.messageId)}</p>
<iframe sandbox srcdoc="${escape(m.html)}"></iframe><pre>${escape(m.text)}</pre></article>`,
    )
    .join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Local inbox</title>
<style>body{font-family:sans-serif;margin:2em}article{border-top:1px solid #ccc;padding:1em 0}iframe{width:100%;height:16em;border:1px solid #eee}</style>
</head><body><h1>Local inbox (${messages.length})</h1>${items || "<p>No mail yet: place an order.</p>"}</body></html>`;
}

export interface MailInboxOptions {
  smtpPort: number;
  httpPort: number;
  file?: string;
  /** false: accept and discard every message (see MailSinkOptions.parse). */
  parse?: boolean;
}

export async function startMailInbox(options: MailInboxOptions): Promise<MailInbox> {
  if (options.file) mkdirSync(path.dirname(options.file), { recursive: true });
  const sink = await startMailSink({
    port: options.smtpPort,
    parse: options.parse,
    onMessage: (mail) => {
      if (options.file) appendFileSync(options.file, `${JSON.stringify(mail)}\n`);
    },
  });
  const server = http.createServer((req, res) => {
    if (req.url === "/messages.json") {
      res.setHeader("content-type", "application/json");
      return res.end(JSON.stringify(sink.messages));
    }
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(page(sink.messages));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.httpPort, "127.0.0.1", resolve);
  });
  return {
    smtpPort: sink.port,
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    file: options.file,
    messages: sink.messages,
    get accepted() {
      return sink.accepted;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await sink.close();
    },
  };
}
