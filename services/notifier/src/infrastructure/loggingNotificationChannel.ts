import type { Logger } from "@app/shared";
import type { NotificationChannel } from "../application/ports";
import type { Notification } from "../domain/notification";

/**
 * Stands in for e-mail until a provider is chosen: it writes what would be sent. A real
 * adapter passes notification.id as the provider's idempotency key.
 */
export class LoggingNotificationChannel implements NotificationChannel {
  constructor(private readonly logger: Logger) {}

  async send(notification: Notification): Promise<void> {
    this.logger.info("notification sent", {
      channel: "log",
      notificationId: notification.id,
      eventId: notification.eventId,
      userId: notification.userId,
      type: notification.type,
    });
  }
}
