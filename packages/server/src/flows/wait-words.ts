/**
 * Durations in refusals, as a person reads them. A refusal says which limit it hit and when to try
 * again, in words for the person and as numbers (`retryAfterSeconds`) for the page that counts down.
 */

const UNITS = [
  { seconds: 86_400, name: 'day' },
  { seconds: 3_600, name: 'hour' },
  { seconds: 60, name: 'minute' },
  { seconds: 1, name: 'second' },
] as const;

const counted = (n: number, name: string) => `${n} ${name}${n === 1 ? '' : 's'}`;

/**
 * A wait, rounded up in a unit that keeps it within about a third: "75 seconds", "7 minutes",
 * "90 minutes", "5 hours" (never "2 hours" for 61 minutes).
 */
export function describeWait(seconds: number): string {
  const unit = UNITS.find((u) => seconds > u.seconds * 1.5) ?? UNITS[3];
  return counted(Math.max(1, Math.ceil(seconds / unit.seconds)), unit.name);
}

/** A limit's window, in the largest unit that divides it: "10 minutes", "1 hour", "90 seconds". */
export function describeWindow(seconds: number): string {
  const unit = UNITS.find((u) => seconds % u.seconds === 0 && seconds >= u.seconds) ?? UNITS[3];
  return counted(seconds / unit.seconds, unit.name);
}
