import { encodeCursor, type KeysetCursor as NotificationCursor } from "@app/shared";
import type { Notification } from "../domain/notification";
import type { NotificationStore } from "./ports";

export interface NotificationPage {
  items: Notification[];
  nextCursor: string | null;
}

export async function listNotifications(
  store: NotificationStore,
  userId: string,
  limit: number,
  after: NotificationCursor | null,
): Promise<NotificationPage> {
  const rows = await store.listForUser(userId, limit + 1, after);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}
