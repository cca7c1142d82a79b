import type { Clock, NotificationPreferences, PreferenceStore } from "./ports";

/** A customer's channels; the notification itself is written whatever they chose. */
export function getPreferences(
  preferences: PreferenceStore,
  userId: string,
): Promise<NotificationPreferences> {
  return preferences.get(userId);
}

export function updatePreferences(
  deps: { preferences: PreferenceStore; clock: Clock },
  userId: string,
  input: { email: boolean },
): Promise<NotificationPreferences> {
  return deps.preferences.set(userId, input.email, deps.clock.now());
}
