/**
 * When a phone's exposure verdict is news to its user: the app notifies once per contact level while a
 * notification is in force (an F1's quarantine, an F2's monitoring days), but a *lower* level — closer
 * to a case — is always news: an F2 who becomes a case's close contact is told F1 (Vietnam's rules
 * upgrade an F2 to F1; an F2 notification used to hold back the F1 one for `f2Days`).
 */

/** The notification in force for one person. */
export interface NotificationInForce {
  /** Day (of the run) until which it is in force (exclusive); 0 or less: none. */
  until: number;
  /** Its contact level (1 = F1, 2 = F2, …); 0: none. */
  level: number;
}

/** Whether a verdict of contact `level` on `day` is news, given the notification in force. */
export function isNews(level: number, day: number, inForce: NotificationInForce): boolean {
  return !(inForce.until > day && inForce.level > 0 && level >= inForce.level);
}
