import type { Clock, NotificationPreferences, PreferenceStore } from "./ports";

/** A customer's channels; the notification itself is written whatever they chose. */
export function getPreferences(
  deps: { preferences: PreferenceStore },
  input: { userId: string },
): Promise<NotificationPreferences> {
  return deps.preferences.get(input.userId);
}

export function updatePreferences(
  deps: { preferences: PreferenceStore; clock: Clock },
  input: { userId: string; email: boolean },
): Promise<NotificationPreferences> {
  return deps.preferences.set(input.userId, input.email, deps.clock.now());
}
