/** The same user-agent test the Prove SDK family uses, so integrators' branching stays identical. */
export function isMobileWeb(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    /Mobi|Android|webOS|iPhone|iPad|BlackBerry|Opera Mini/i.test(navigator.userAgent)
  );
}
