import type { KeysetCursor as NotificationCursor } from "@app/shared";
import type { Notification } from "../domain/notification";
import { toPage, type Page } from "./page";
import type { NotificationReader } from "./ports";

export type NotificationPage = Page<Notification>;

export async function listNotifications(
  deps: { store: NotificationReader },
  input: { userId: string; limit: number; after: NotificationCursor | null },
): Promise<NotificationPage> {
  return toPage(
    await deps.store.listForUser(input.userId, input.limit + 1, input.after),
    input.limit,
  );
}
