import nodemailer, { type Transporter } from "nodemailer";
import type { EmailMessage, EmailSender, SendAttempt } from "../application/ports";

export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it (or `requireTls`). */
  secure: boolean;
  requireTls: boolean;
  user?: string;
  password?: string;
  from: string;
  timeoutMs: number;
}

/** Email over SMTP with nodemailer; a 5xx reply is final, anything else is worth a retry. */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;

  constructor(private readonly settings: SmtpSettings) {
    this.transport = nodemailer.createTransport({
      // A few long-lived connections instead of a connect, greeting and EHLO per message.
      pool: true,
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTls,
      auth: settings.user ? { user: settings.user, pass: settings.password ?? "" } : undefined,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
    });
  }

  async send(message: EmailMessage): Promise<SendAttempt> {
    try {
      await this.transport.sendMail({
        from: this.settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
      });
      return { ok: true };
    } catch (error) {
      const responseCode = (error as { responseCode?: number }).responseCode;
      return {
        ok: false,
        permanent: responseCode !== undefined && responseCode >= 500,
        error: (error as Error).message,
      };
    }
  }

  close(): void {
    this.transport.close();
  }
}
