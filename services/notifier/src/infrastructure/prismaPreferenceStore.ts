import type { NotificationPreferences, PreferenceStore } from "../application/ports";
import type { NotifierPrisma } from "./prismaClient";

export class PrismaPreferenceStore implements PreferenceStore {
  constructor(private readonly prisma: NotifierPrisma) {}

  async get(userId: string): Promise<NotificationPreferences> {
    const row = await this.prisma.notificationPreference.findUnique({ where: { userId } });
    // No row: the default, every channel on.
    return row
      ? { email: row.emailEnabled, updatedAt: row.updatedAt }
      : { email: true, updatedAt: null };
  }

  async emailTurnedOff(userIds: string[]): Promise<Set<string>> {
    const rows = await this.prisma.notificationPreference.findMany({
      where: { userId: { in: userIds }, emailEnabled: false },
      select: { userId: true },
    });
    return new Set(rows.map((r) => r.userId));
  }

  async set(userId: string, email: boolean, at: Date): Promise<NotificationPreferences> {
    const row = await this.prisma.notificationPreference.upsert({
      where: { userId },
      create: { userId, emailEnabled: email, updatedAt: at },
      update: { emailEnabled: email, updatedAt: at },
    });
    return { email: row.emailEnabled, updatedAt: row.updatedAt };
  }
}
