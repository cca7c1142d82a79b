import { renderEmail } from "../domain/emailMessage";
import type { ClaimedDelivery, EmailSender, SendAttempt, UserDirectory } from "./ports";

export interface EmailDeps {
  users: UserDirectory;
  mail: EmailSender;
  /** The right-hand side of Message-IDs (`<eventId@domain>`). */
  messageIdDomain: string;
}

/** Sends one EMAIL delivery to its user's current address; a user who is gone is a final failure. */
export async function sendEmail(deps: EmailDeps, delivery: ClaimedDelivery): Promise<SendAttempt> {
  const user = await deps.users.lookUp(delivery.target);
  if (user.kind === "gone")
    return { ok: false, permanent: true, error: "the user no longer exists" };
  const content = renderEmail(delivery.notification);
  return deps.mail.send({
    to: user.email,
    ...content,
    messageId: `<${delivery.notification.eventId}@${deps.messageIdDomain}>`,
  });
}
